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
  // Array#sort with no comparator orders strings by UTF-16 code units, as PHP's SORT_STRING
  // and Java's String.compareTo do for these ASCII values.
  return hash('sha1', [secret, timestamp, nonce].sort().join(''), 'hex');
}

/** Exactly 40 hex digits, either case (hex decoding alone stops quietly at a bad character). */
export const HEX_SHA1 = /^[0-9a-fA-F]{40}$/;

/**
 * Accepts the callback when any of `secrets` produced its signature. Several secrets let a
 * rotation overlap (the console and Secrets Manager cannot change at the same instant).
 * Every candidate is compared, and in constant time, so timing tells nothing about which.
 */
export function verifySignature(fields: SignedFields, secrets: readonly string[]): void {
  if (!HEX_SHA1.test(fields.signature)) {
    throw new SignatureError('signature missing or malformed');
  }
  const received = Buffer.from(fields.signature, 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(computeSignature(secret, fields.timestamp, fields.nonce), 'hex');
    matched = timingSafeEqual(expected, received) || matched;
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
