import { hash, timingSafeEqual } from 'node:crypto';
import { FutureTimestampError, SignatureError, StaleTimestampError } from './errors.js';

/** What ZEGOCLOUD signs: the secret, and the timestamp and nonce exactly as sent (their text). */
export interface SignedFields {
  readonly timestamp: string;
  readonly nonce: string;
  readonly signature: string;
}

/**
 * ZEGOCLOUD's scheme: sha1 over the three values sorted as strings (dictionary order, not
 * numeric: "99" sorts after "1470820198") and joined with no separator, as lower-case hex.
 */
export function computeSignature(secret: string, timestamp: string, nonce: string): string {
  // One-shot hash(): several times cheaper than createHash() for a value this small.
  return hash('sha1', sortedConcat(secret, timestamp, nonce), 'hex');
}

/** The three in dictionary (UTF-16 code unit) order, as Array#sort would, without an array. */
function sortedConcat(a: string, b: string, c: string): string {
  if (a > b) [a, b] = [b, a];
  if (b > c) [b, c] = [c, b];
  if (a > b) [a, b] = [b, a];
  return a + b + c;
}

/**
 * The two digests compared, decoded into buffers allocated once rather than twice per callback.
 * Safe to share: verification is synchronous, so no two callbacks ever use them at once.
 */
const RECEIVED = Buffer.alloc(20);
const EXPECTED = Buffer.alloc(20);

/**
 * Accepts the callback when any of `secrets` produced its signature. Several secrets let a
 * rotation overlap (the console and Secrets Manager cannot change at the same instant).
 * Every candidate is compared, and in constant time, so timing tells nothing about which.
 */
export function verifySignature(fields: SignedFields, secrets: readonly string[]): void {
  // Hex decoding stops at the first non-hex character, so 20 bytes from 40 characters means
  // exactly 40 hex digits.
  if (fields.signature.length !== 40 || RECEIVED.write(fields.signature, 'hex') !== 20) {
    throw new SignatureError('signature missing or malformed');
  }
  let matched = false;
  for (const secret of secrets) {
    EXPECTED.write(computeSignature(secret, fields.timestamp, fields.nonce), 'hex');
    matched = timingSafeEqual(EXPECTED, RECEIVED) || matched;
  }
  if (!matched) throw new SignatureError('signature does not match');
}

/**
 * The signature does not cover the body, so a captured (timestamp, nonce, signature) can carry
 * any body for as long as it is accepted: keep the window short. 0 switches the check off.
 */
export function checkTimestamp(
  timestamp: string,
  nowSeconds: number,
  toleranceSeconds: number,
): void {
  if (toleranceSeconds === 0) return;
  const skew = Number(timestamp) - nowSeconds;
  if (skew < -toleranceSeconds)
    throw new StaleTimestampError('timestamp is outside the accepted window');
  if (skew > toleranceSeconds) throw new FutureTimestampError('timestamp is in the future');
}
