import { describe, expect, it } from 'vitest';
import { decodeBody, JsonNumber } from '../lambda/core/body.js';
import { receiveCallback } from '../lambda/core/callback.js';
import { CallbackError, MalformedBodyError, PayloadTooLargeError } from '../lambda/core/errors.js';
import { encodeCallback } from '../local/callback-signer.js';
import { HOSTILE_BODY_BYTES, hostileBodies } from './fixtures/hostile-bodies.js';

const text = (body: string) => ({ body, isBase64Encoded: false });
const base64 = (body: string) => ({
  body: Buffer.from(body, 'utf8').toString('base64'),
  isBase64Encoded: true,
});

describe('decoding a callback body', () => {
  const fields = { appid: '1', event: 'call_reject', call_id: '42', extend_data: 'a&b=c %d+é' };

  it.each(['json', 'urlencoded-json', 'form'] as const)(
    'reads the same fields from a %s body, plain or base64-encoded',
    (shape) => {
      const { body } = encodeCallback(fields, shape);
      for (const raw of [text(body), base64(body)]) {
        const decoded = decodeBody(raw);
        expect(Object.fromEntries(decoded)).toEqual(fields);
      }
    },
  );

  it('keeps every digit of integers beyond 2^53', () => {
    const decoded = decodeBody(
      text(
        '{"call_id": 3501761173612493269, "nonce": 18446744073709551615, "timestamp": 1499676978}',
      ),
    );
    expect(decoded.get('call_id')).toEqual(new JsonNumber('3501761173612493269'));
    expect(decoded.get('nonce')).toEqual(new JsonNumber('18446744073709551615'));
    expect(decoded.get('timestamp')).toEqual(new JsonNumber('1499676978'));
  });

  it('decodes JSON escapes exactly, including surrogate pairs', () => {
    const decoded = decodeBody(
      text('{"extend_data":"\\"quoted\\" \\u00e9 \\ud83d\\ude00 \\\\ \\n"}'),
    );
    expect(decoded.get('extend_data')).toBe('"quoted" é 😀 \\ \n');
  });

  it('treats __proto__ as an ordinary field name', () => {
    const decoded = decodeBody(text('{"__proto__": {"polluted": true}, "a": "b"}'));
    expect(decoded.get('a')).toBe('b');
    expect(decoded.get('__proto__')).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads PHP-style and repeated form keys as lists', () => {
    const decoded = decodeBody(
      text('user_ids[]=a&user_ids[]=b&x=1&x=2&one[]=c&ix%5B0%5D=d&ix%5B1%5D=e'),
    );
    expect(decoded.get('user_ids')).toEqual(['a', 'b']);
    // As PHP's http_build_query writes a list.
    expect(decoded.get('ix')).toEqual(['d', 'e']);
    expect(decoded.get('x')).toEqual(['1', '2']);
    expect(decoded.get('one')).toEqual(['c']);
  });

  it('tolerates a trailing comma before } or ], as in ZEGOCLOUD’s own call_cancel sample', () => {
    const sample =
      '{"appid":"1","event":"call_cancel","nonce":"350176","signature":"s","timestamp":1499676978,"call_id":"3501761173612493269","user_ids":["a","b",],"reason":"caller_cancel","payload":"payload",}';
    const decoded = decodeBody(text(sample));
    expect(decoded.get('payload')).toBe('payload');
    expect(decoded.get('user_ids')).toEqual(['a', 'b']);
    expect(decodeBody(text('{"a":[1 , ] , }')).get('a')).toEqual([new JsonNumber('1')]);
  });

  it('decodes broken URL encoding leniently, as form decoding does: a cut character is U+FFFD', () => {
    expect(decodeBody(text('%7B%22a%22%3A%22%E0%A4%A%22%7D')).get('a')).toBe('\ufffd%A');
  });

  it('tolerates leading whitespace and a byte-order mark before JSON', () => {
    expect(decodeBody(text('\uFEFF \n {"a":"b"}')).get('a')).toBe('b');
  });

  it.each([
    ['an empty body', ''],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"call_reject"'],
    ['truncated JSON', '{"appid": "1", "event": '],
    ['trailing garbage', '{"a":"b"} x'],
    ['a lone comma in an object', '{,}'],
    ['a lone comma in an array', '{"a":[,]}'],
    ['two trailing commas', '{"a":"b",,}'],
    ['a hole in an array', '{"a":[1,,2]}'],
    ['a comment', '{"a":"b" /* c */}'],
    ['NaN', '{"a":NaN}'],
    ['Infinity', '{"a":Infinity}'],
    ['a leading zero', '{"a":01}'],
    ['an invalid escape', '{"a":"\\x41"}'],
    ['a raw control character', '{"a":"\u0001"}'],
    ['single quotes', "{'a':'b'}"],
    ['plain text', 'hello world'],
    ['URL-encoded non-object', '%7B'],
    ['deep nesting', `{"a":${'['.repeat(100)}${']'.repeat(100)}}`],
  ])('refuses %s as malformed', (_, body) => {
    expect(() => decodeBody(text(body))).toThrow(MalformedBodyError);
  });

  it('refuses a body over the limit before parsing it, plain or base64', () => {
    const big = `{"a":"${'x'.repeat(100)}"}`;
    expect(() => decodeBody(text(big), 64)).toThrow(PayloadTooLargeError);
    expect(() => decodeBody(base64(big), 64)).toThrow(PayloadTooLargeError);
    // Multi-byte characters count in UTF-8 bytes, as API Gateway and SQS count them.
    expect(() => decodeBody(text(`{"a":"${'é'.repeat(40)}"}`), 64)).toThrow(PayloadTooLargeError);
    expect(decodeBody(text('{"a":"b"}'), 64).get('a')).toBe('b');
  });
});

describe('an unsigned hostile body', () => {
  // Generous: a typical body takes microseconds, and this machine's noise is milliseconds. The
  // quadratic form decoder took 6-7 s on the first body here. Mutation testing (npm run
  // mutation) instruments every expression, which makes the decoder about ten times slower.
  const boundMs = process.env.STRYKER_MUTATOR_WORKER === undefined ? 250 : 2_500;
  it.each(hostileBodies().map((hostile) => [hostile.name, hostile] as const))(
    `%s: refused with a 4xx in well under ${boundMs} ms`,
    (_, hostile) => {
      expect(
        Buffer.byteLength(
          hostile.isBase64Encoded ? Buffer.from(hostile.body, 'base64') : hostile.body,
        ),
      ).toBeLessThanOrEqual(HOSTILE_BODY_BYTES);
      const started = performance.now();
      let refusal: unknown;
      try {
        receiveCallback(hostile);
      } catch (error) {
        refusal = error;
      }
      const elapsed = performance.now() - started;
      expect(refusal).toBeInstanceOf(CallbackError);
      expect((refusal as CallbackError).status).toBeGreaterThanOrEqual(400);
      expect((refusal as CallbackError).status).toBeLessThan(500);
      expect(elapsed).toBeLessThan(boundMs);
    },
  );
});
