import { receiveCallback } from '../lambda/core/callback.js';
import { checkFreshness, decide, type Policy } from '../lambda/core/decide.js';
import { verifySignature } from '../lambda/core/signature.js';
import { BENCH_SECRET, BENCH_TIMESTAMP } from './bodies.js';

export { makeBodies } from './bodies.js';

const policy: Policy = { toleranceSeconds: 300, forwardEvents: new Set(['call_reject']) };

/** The handler's pure path, no I/O: decode, verify, validate, build the SQS message. */
export function processAll(bodies: readonly string[]): number {
  const now = new Date(BENCH_TIMESTAMP * 1000);
  const secrets = [BENCH_SECRET];
  let enqueued = 0;
  for (const body of bodies) {
    const received = receiveCallback({ body, isBase64Encoded: false });
    verifySignature(received.signed, secrets);
    checkFreshness(received.signed, policy, now);
    if (decide(received.fields, policy, now).action === 'enqueue') enqueued++;
  }
  return enqueued;
}
