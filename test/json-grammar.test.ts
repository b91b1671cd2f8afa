import { describe, expect, it } from 'vitest';
import { decodeBody, type FieldValue, JsonNumber, MAX_BODY_BYTES } from '../lambda/core/body.js';
import { MalformedBodyError, PayloadTooLargeError } from '../lambda/core/errors.js';

/**
 * The body reader's grammar, rule by rule: what each accepts, with the exact value read, and
 * what each refuses, with the exact message the caller gets back in the 400.
 */
const text = (body: string) => ({ body, isBase64Encoded: false });
const base64 = (body: string) => ({
  body: Buffer.from(body, 'utf8').toString('base64'),
  isBase64Encoded: true,
});
const decoded = (body: string) => Object.fromEntries(decodeBody(text(body)));

function refusal(raw: { body: string | undefined; isBase64Encoded: boolean }): unknown {
  try {
    decodeBody(raw);
  } catch (error) {
    return error;
  }
  return 'accepted';
}
const malformed = (message: string) => new MalformedBodyError(message);
const refused = (body: string) => refusal(text(body));

/** `{"a":{"a":…{}…}}`, `objects` objects in all. */
const nestedObjects = (objects: number) =>
  `${'{"a":'.repeat(objects - 1)}{}${'}'.repeat(objects - 1)}`;

describe('whitespace', () => {
  it.each([
    ['space', ' '],
    ['tab', '\t'],
    ['line feed', '\n'],
    ['carriage return', '\r'],
  ])('%s is allowed between every two tokens and after the object', (_, ws) => {
    const body = ['{', '"a"', ':', '[', '1', ',', 'true', ']', ',', '"b"', ':', '{', '}', '}', '']
      .join(ws)
      .replaceAll(`${ws}{${ws}}`, `${ws}{${ws}${ws}}`);
    expect(decoded(body)).toEqual({ a: [new JsonNumber('1'), true], b: new Map() });
    expect(decoded(`{${ws}}${ws}`)).toEqual({});
    expect(decoded(`{"a":[${ws}]}`)).toEqual({ a: [] });
  });

  it.each([
    ['a vertical tab', '\v'],
    ['a form feed', '\f'],
    ['a no-break space', '\u00a0'],
  ])('%s between tokens is refused: JSON knows four whitespace characters', (_, ws) => {
    expect(refused(`{"a":${ws}"b"}`)).toEqual(
      malformed('invalid JSON at position 5: unexpected character'),
    );
    expect(refused(`{"a":"b"}${ws}`)).toEqual(
      malformed('invalid JSON at position 9: unexpected trailing characters'),
    );
  });
});

describe('values', () => {
  it('reads true, false and null as themselves', () => {
    expect(decoded('{"t":true,"f":false,"n":null}')).toEqual({ t: true, f: false, n: null });
    expect(decoded('{"l":[false,null,true]}')).toEqual({ l: [false, null, true] });
  });

  it.each([
    ['tru', 'invalid JSON at position 5: unexpected character'],
    ['True', 'invalid JSON at position 5: unexpected character'],
    ['nul', 'invalid JSON at position 5: unexpected character'],
    ['fals', 'invalid JSON at position 5: unexpected character'],
    ['truex', "invalid JSON at position 10: expected ',' or '}'"],
    ['nullnull', "invalid JSON at position 10: expected ',' or '}'"],
  ])('refuses the misspelt literal %s', (literal, message) => {
    expect(refused(`{"a":${literal}}`)).toEqual(malformed(message));
  });

  it.each([
    '0',
    '-0',
    '7',
    '-12',
    '1.5',
    '-0.25',
    '1e3',
    '1E3',
    '2.50e+10',
    '-3.0E-7',
    '123456789012345678901234567890',
    '9',
    '90.09',
  ])('keeps the number %s as its exact text', (number) => {
    expect(decoded(`{"n":${number}}`)).toEqual({ n: new JsonNumber(number) });
    expect(decoded(`{"n":[${number}]}`)).toEqual({ n: [new JsonNumber(number)] });
  });

  it.each([
    ['-', 'invalid JSON at position 5: invalid number'],
    ['-a', 'invalid JSON at position 5: invalid number'],
    ['+1', 'invalid JSON at position 5: unexpected character'],
    ['.5', 'invalid JSON at position 5: unexpected character'],
    ['1.', "invalid JSON at position 7: expected ',' or '}'"],
    ['1.e3', "invalid JSON at position 7: expected ',' or '}'"],
    ['1e', "invalid JSON at position 7: expected ',' or '}'"],
    ['1e+', "invalid JSON at position 7: expected ',' or '}'"],
    ['01', "invalid JSON at position 7: expected ',' or '}'"],
    ['0x1', "invalid JSON at position 7: expected ',' or '}'"],
  ])('refuses the number %s', (number, message) => {
    expect(refused(`{"n":${number}}`)).toEqual(malformed(message));
  });

  it('reads strings with and without escapes, and refuses broken ones', () => {
    expect(decoded('{"a":"","b":"x y","c":"\\u0041\\/\\t"}')).toEqual({
      a: '',
      b: 'x y',
      c: 'A/\t',
    });
    expect(refused('{"a":"b')).toEqual(
      malformed('invalid JSON at position 5: unterminated string'),
    );
    expect(refused('{"a":"b\\"}')).toEqual(
      malformed('invalid JSON at position 5: unterminated string'),
    );
    expect(refused('{"a":"\\u00"}')).toEqual(
      malformed('invalid JSON at position 11: invalid escape in string'),
    );
    expect(refused('{"a":"b\u001f"}')).toEqual(
      malformed('invalid JSON at position 5: control character in string'),
    );
    expect(refused('{"a":"\\n\u0000"}')).toEqual(
      malformed('invalid JSON at position 5: control character in string'),
    );
  });

  it('keeps the cause of a broken escape', () => {
    const error = refused('{"a":"\\q"}') as MalformedBodyError;
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('objects and arrays', () => {
  it('reads keys in order, nested objects as maps and the last of a repeated key', () => {
    const fields = decodeBody(text('{"b":{"y":"1","x":{}},"a":[[],{}],"b2":"z","a2":1,"a2":2}'));
    expect([...fields.keys()]).toEqual(['b', 'a', 'b2', 'a2']);
    expect(fields.get('b')).toEqual(
      new Map<string, FieldValue>([
        ['y', '1'],
        ['x', new Map()],
      ]),
    );
    expect(fields.get('a')).toEqual([[], new Map()]);
    expect(fields.get('a2')).toEqual(new JsonNumber('2'));
  });

  it.each([
    ['a missing colon', '{"a" "b"}', "invalid JSON at position 5: expected ':'"],
    ['another separator for the colon', '{"a"="b"}', "invalid JSON at position 4: expected ':'"],
    ['a key that is not a string', '{a:"b"}', 'invalid JSON at position 1: expected a string key'],
    ['a number as a key', '{"a":1,2:3}', 'invalid JSON at position 7: expected a string key'],
    [
      'a semicolon between members',
      '{"a":1;"b":2}',
      "invalid JSON at position 7: expected ',' or '}'",
    ],
    [
      'a member with no separator',
      '{"a":1 "b":2}',
      "invalid JSON at position 8: expected ',' or '}'",
    ],
    ['an unclosed object', '{"a":1', "invalid JSON at position 7: expected ',' or '}'"],
    ['a semicolon between items', '{"a":[1;2]}', "invalid JSON at position 8: expected ',' or ']'"],
    ['items with no separator', '{"a":[1 2]}', "invalid JSON at position 9: expected ',' or ']'"],
    [
      'a closing brace for a bracket',
      '{"a":[1}',
      "invalid JSON at position 8: expected ',' or ']'",
    ],
    ['an unclosed array', '{"a":[1', "invalid JSON at position 8: expected ',' or ']'"],
    ['a value left out', '{"a":}', 'invalid JSON at position 5: unexpected character'],
    ['the body ending after a colon', '{"a":', 'invalid JSON at position 5: unexpected character'],
  ])('refuses %s', (_, body, message) => {
    expect(refused(body)).toEqual(malformed(message));
  });

  it('reads objects nested 16 deep, and refuses a 17th level, arrays counting alike', () => {
    let value = decodeBody(text(nestedObjects(16))).get('a');
    let depth = 1;
    while (value instanceof Map && value.size > 0) {
      value = value.get('a');
      depth += 1;
    }
    expect(depth).toBe(15);
    expect(refused(nestedObjects(17))).toEqual(
      malformed('invalid JSON at position 80: nested too deeply'),
    );
    const arrays = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
    expect(decodeBody(text(arrays(15))).get('a')).toBeInstanceOf(Array);
    // The deepest container's own values are read: only a 17th container is too deep.
    let inner: unknown = decodeBody(text(`{"a":${'['.repeat(15)}1${']'.repeat(15)}}`)).get('a');
    for (let level = 0; level < 15; level += 1) inner = (inner as FieldValue[])[0];
    expect(inner).toEqual(new JsonNumber('1'));
    expect(refused(arrays(16))).toEqual(
      malformed('invalid JSON at position 20: nested too deeply'),
    );
  });

  it('refuses a body that is not one object', () => {
    expect(refused('[]')).toEqual(malformed('body is neither a JSON object nor a form'));
    expect(refused('{}{}')).toEqual(
      malformed('invalid JSON at position 2: unexpected trailing characters'),
    );
    expect(refused('%5B%5D')).toEqual(malformed('body is neither a JSON object nor a form'));
  });
});

describe('the body as a whole', () => {
  it('tells the shape by the body: JSON, URL-encoded JSON in either case, or a form', () => {
    expect(decoded(' \t\r\n{"a":"b"}')).toEqual({ a: 'b' });
    expect(decoded('%7B%22a%22%3A%22x+y%2Bz%22%7D')).toEqual({ a: 'x y+z' });
    expect(decoded('%7b%22a%22%3a%22b%22%7d')).toEqual({ a: 'b' });
    expect(decoded('a=x+y%2Bz&b=')).toEqual({ a: 'x y+z', b: '' });
    // A form whose value is URL-encoded JSON is still a form.
    expect(decoded('extend_data=%7B%22a%22%3A1%7D')).toEqual({ extend_data: '{"a":1}' });
  });

  it.each([
    ['empty', '', 'empty body'],
    ['only whitespace', ' \n\t', 'empty body'],
    ['text with no =', 'call_reject', 'body is neither a JSON object nor a form'],
    ['URL-encoded text', '%22a%22', 'body is neither a JSON object nor a form'],
  ])('refuses a body that is %s', (_, body, message) => {
    expect(refused(body)).toEqual(malformed(message));
  });

  it('reads an absent body as empty, plain or base64', () => {
    expect(refusal({ body: undefined, isBase64Encoded: false })).toEqual(malformed('empty body'));
    expect(refusal({ body: undefined, isBase64Encoded: true })).toEqual(malformed('empty body'));
  });
});

describe('form lists', () => {
  it('reads name[], name[7] and a repeated name as a list, in the body’s order', () => {
    expect(decoded('u[]=a&u[]=b&v[7]=c&v[0]=d&w=e&w=f&x[123456789]=g')).toEqual({
      u: ['a', 'b'],
      v: ['c', 'd'],
      w: ['e', 'f'],
      x: ['g'],
    });
    // A plain value first, then list items: one list.
    expect(decoded('u=a&u[]=b&u[3]=c')).toEqual({ u: ['a', 'b', 'c'] });
  });

  it('reads a key that only looks like a list item as a plain field', () => {
    expect(decoded('user_ids[0]x=a&user_ids=b')).toEqual({ 'user_ids[0]x': 'a', user_ids: 'b' });
    expect(decoded('u[a]=1&v[1234567890]=2&w[-1]=3&x]=4&y[=5')).toEqual({
      'u[a]': '1',
      'v[1234567890]': '2',
      'w[-1]': '3',
      'x]': '4',
      'y[': '5',
    });
  });

  it('reads a list key whatever characters its name holds, line breaks included', () => {
    expect(decoded('a%0Ab[]=1&a%0Ab[]=2')).toEqual({ 'a\nb': ['1', '2'] });
  });
});

/** A JSON object of exactly `bytes` UTF-8 bytes. */
const bodyOf = (bytes: number) => `{"a":"${'x'.repeat(bytes - 8)}"}`;

describe('the size limit', () => {
  it('is 64 KiB', () => {
    expect(MAX_BODY_BYTES).toBe(65_536);
  });

  it('accepts a body of exactly 64 KiB and refuses one byte more, plain or base64', () => {
    for (const encode of [text, base64]) {
      const largest = bodyOf(MAX_BODY_BYTES);
      expect(Buffer.byteLength(largest)).toBe(65_536);
      expect((decodeBody(encode(largest)).get('a') as string).length).toBe(65_528);
      expect(refusal(encode(bodyOf(MAX_BODY_BYTES + 1)))).toEqual(
        new PayloadTooLargeError('body exceeds 65536 bytes'),
      );
    }
  });

  it('counts UTF-8 bytes, not characters', () => {
    const twoByteChars = `{"a":"${'é'.repeat(32_764)}"}`;
    expect(twoByteChars.length).toBe(32_772);
    expect(Buffer.byteLength(twoByteChars)).toBe(65_536);
    expect(decodeBody(text(twoByteChars)).get('a')).toBe('é'.repeat(32_764));
    expect(refusal(text(`{"a":"${'é'.repeat(32_765)}"}`))).toEqual(
      new PayloadTooLargeError('body exceeds 65536 bytes'),
    );
  });

  it('refuses base64 text too long to decode under the limit without decoding it', () => {
    // 87,384 characters encode 65,536 bytes; four more may be padding. One more group is refused
    // on its length alone, even when it would decode to little (a body of '=' decodes to nothing).
    expect(refusal({ body: '='.repeat(87_388), isBase64Encoded: true })).toEqual(
      malformed('empty body'),
    );
    expect(refusal({ body: '='.repeat(87_389), isBase64Encoded: true })).toEqual(
      new PayloadTooLargeError('body exceeds 65536 bytes'),
    );
  });

  it('applies a smaller limit when given one', () => {
    expect(decodeBody(text(bodyOf(64)), 64).size).toBe(1);
    expect(refusal({ ...text(bodyOf(65)) })).toBe('accepted');
    expect(() => decodeBody(text(bodyOf(65)), 64)).toThrow(
      new PayloadTooLargeError('body exceeds 64 bytes'),
    );
  });
});
