import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FutureTimestampError,
  SignatureError,
  StaleTimestampError,
} from '../lambda/core/errors.js';
import { checkTimestamp, computeSignature, verifySignature } from '../lambda/core/signature.js';

describe('ZEGOCLOUD signature', () => {
  it('matches the vector published by ZEGOCLOUD', () => {
    expect(computeSignature('secret', '1470820198', '123412')).toBe(
      '5bd59fd62953a8059fb7eaba95720f66d19e4517',
    );
  });

  it('sorts the three values as strings, not as numbers', () => {
    // Numerically 99 < 1470820198; as strings "1470820198" < "99" < "secret".
    const stringOrder = computeSignature('secret', '1470820198', '99');
    const numericOrder = computeSignature('secret', '99', '1470820198');
    expect(stringOrder).toBe(computeSignature('99', 'secret', '1470820198'));
    expect(numericOrder).toBe(stringOrder); // same set sorts the same whatever the argument order
    const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
    expect(stringOrder).toBe(sha1('147082019899secret'));
    expect(stringOrder).not.toBe(sha1('991470820198secret'));
  });

  it('accepts the published vector, in either hex case', () => {
    const fields = { timestamp: '1470820198', nonce: '123412' };
    const signature = '5bd59fd62953a8059fb7eaba95720f66d19e4517';
    expect(() => verifySignature({ ...fields, signature }, ['secret'])).not.toThrow();
    expect(() =>
      verifySignature({ ...fields, signature: signature.toUpperCase() }, ['secret']),
    ).not.toThrow();
  });

  it('refuses a signature made with another secret, or over another nonce', () => {
    const signature = computeSignature('secret', '1470820198', '123412');
    expect(() =>
      verifySignature({ timestamp: '1470820198', nonce: '123412', signature }, ['other']),
    ).toThrow(SignatureError);
    expect(() =>
      verifySignature({ timestamp: '1470820198', nonce: '123413', signature }, ['secret']),
    ).toThrow(SignatureError);
  });

  it('uses the exact text of the nonce: 0123 and 123 are different nonces', () => {
    const signature = computeSignature('secret', '1470820198', '0123');
    expect(() =>
      verifySignature({ timestamp: '1470820198', nonce: '123', signature }, ['secret']),
    ).toThrow(SignatureError);
  });

  it('refuses signatures that are not 40 hex digits without hashing anything', () => {
    const malformed = new SignatureError('signature missing or malformed');
    const bad = [
      '',
      'abc',
      `${'0'.repeat(39)}g`,
      '0'.repeat(41),
      `g${'0'.repeat(40)}`,
      '0'.repeat(39),
    ];
    for (const signature of bad) {
      expect(() => verifySignature({ timestamp: '1', nonce: '1', signature }, ['secret'])).toThrow(
        malformed,
      );
    }
    // Well-formed, in either case, but wrong: refused for not matching, not for its shape.
    for (const signature of ['0'.repeat(40), 'aBcDeF0123'.repeat(4)]) {
      expect(() => verifySignature({ timestamp: '1', nonce: '1', signature }, ['secret'])).toThrow(
        new SignatureError('signature does not match'),
      );
    }
  });

  it('accepts a callback signed with any of several secrets (rotation overlap)', () => {
    const signature = computeSignature('old', '1470820198', '1');
    expect(() =>
      verifySignature({ timestamp: '1470820198', nonce: '1', signature }, ['new', 'old']),
    ).not.toThrow();
    expect(() => verifySignature({ timestamp: '1470820198', nonce: '1', signature }, [])).toThrow(
      SignatureError,
    );
  });
});

describe('timestamp window', () => {
  const now = 1_700_000_000;

  it('accepts timestamps up to the tolerance on either side', () => {
    expect(() => checkTimestamp(String(now - 300), now, 300)).not.toThrow();
    expect(() => checkTimestamp(String(now + 300), now, 300)).not.toThrow();
  });

  it('refuses a timestamp older than the window as stale', () => {
    expect(() => checkTimestamp(String(now - 301), now, 300)).toThrow(StaleTimestampError);
  });

  it('refuses a timestamp beyond the window in the future', () => {
    expect(() => checkTimestamp(String(now + 301), now, 300)).toThrow(FutureTimestampError);
    expect(() => checkTimestamp('9'.repeat(30), now, 300)).toThrow(FutureTimestampError);
  });

  it('is switched off by a tolerance of 0', () => {
    expect(() => checkTimestamp('0', now, 0)).not.toThrow();
  });
});
