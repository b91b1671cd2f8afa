/**
 * The signer is local/callback-signer.ts. This re-export is kept only for the test files whose
 * import lines sit next to lines being changed elsewhere (handler, properties, body, consumer,
 * contract, replay-guard, telemetry). Delete it once nothing imports it.
 */
export * from './callback-signer.js';
