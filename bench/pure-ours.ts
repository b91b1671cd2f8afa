import { decide, type Policy, receiveCallback } from '../lambda/core/decide.js';
import { verifySignature } from '../lambda/core/signature.js';
import { callRejectFields, signCallback } from '../local/callback-client.js';

/** The handler's pure path, no I/O: decode, verify, validate, build the SQS message. */
const SECRET = 'bench-secret';
const TIMESTAMP = 1_800_000_000;
const policy: Policy = { toleranceSeconds: 300, forwardEvents: new Set(['call_reject']) };

export function makeBodies(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      signCallback(callRejectFields({ call_id: String(3501761173612493269n + BigInt(i)) }), {
        secret: SECRET,
        timestamp: TIMESTAMP,
      }).body,
  );
}

export function processAll(bodies: readonly string[]): number {
  const now = new Date(TIMESTAMP * 1000);
  const secrets = [SECRET];
  let enqueued = 0;
  for (const body of bodies) {
    const received = receiveCallback({ body, isBase64Encoded: false }, policy);
    verifySignature(received.signed, secrets);
    if (decide(received, policy, now).action === 'enqueue') enqueued++;
  }
  return enqueued;
}
