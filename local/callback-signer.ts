import { randomInt } from 'node:crypto';
import { computeSignature } from '../lambda/core/signature.js';

/** The body shapes ZEGOCLOUD's docs allow for (see lambda/core/body.ts). */
export const BODY_SHAPES = ['json', 'urlencoded-json', 'form'] as const;
export type BodyShape = (typeof BODY_SHAPES)[number];

/**
 * A field value; a bigint is written as a bare JSON integer, digit for digit. Nested objects
 * (for events this stack does not know yet) go into JSON bodies only.
 */
export type CallbackValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly string[]
  | { readonly [key: string]: string | number | boolean | null };

export interface SignOptions {
  readonly secret: string;
  readonly shape?: BodyShape;
  /** Unix seconds; now by default. */
  readonly timestamp?: number | bigint | string;
  readonly nonce?: number | bigint | string;
}

export interface SignedRequest {
  readonly body: string;
  readonly contentType: string;
}

/**
 * Signs callback fields as ZEGOCLOUD does and encodes them in one of the accepted shapes.
 * Used by the `send` CLI, the tests and the benchmarks, so all three speak the same dialect.
 */
export function signCallback(
  fields: Readonly<Record<string, CallbackValue>>,
  options: SignOptions,
): SignedRequest {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = options.nonce ?? String(randomInt(1, 2 ** 47));
  const signature = computeSignature(options.secret, String(timestamp), String(nonce));
  return encodeCallback({ ...fields, timestamp, nonce, signature }, options.shape ?? 'json');
}

export function encodeCallback(
  fields: Readonly<Record<string, CallbackValue>>,
  shape: BodyShape,
): SignedRequest {
  if (shape === 'form') {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      if (Array.isArray(value)) for (const item of value) form.append(`${key}[]`, item);
      else form.append(key, String(value));
    }
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  const json = `{${Object.entries(fields)
    .map(
      ([key, value]) =>
        `${JSON.stringify(key)}:${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`,
    )
    .join(',')}}`;
  return shape === 'json'
    ? { body: json, contentType: 'application/json; charset=utf-8' }
    : { body: encodeURIComponent(json), contentType: 'application/json' };
}

/** A `call_reject` as ZEGOCLOUD documents it, with the given overrides. */
export function callRejectFields(
  overrides: Readonly<Record<string, CallbackValue>> = {},
): Record<string, CallbackValue> {
  return {
    appid: '1234567890',
    event: 'call_reject',
    call_id: '3501761173612493269',
    user_id: 'callee-1',
    extend_data: '{"reason":"busy"}',
    ...overrides,
  };
}
