/**
 * Kept only for the importers being edited elsewhere (test/handler.test.ts,
 * test/properties.test.ts, test/body.test.ts): the signer is local/callback-signer.ts.
 * Delete this file once nothing imports it.
 */
export * from './callback-signer.js';
