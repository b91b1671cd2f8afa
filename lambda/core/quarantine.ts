import { hash } from 'node:crypto';
import type { FieldMap, FieldValue } from './body.js';
import { type RawValue, rawFields } from './callback.js';
import type { InvalidFieldError } from './errors.js';
import { canonicalJson, sqsSafeJson } from './message.js';

/**
 * What the quarantine queue holds: a callback whose signature, time window and AppID passed
 * but whose fields this version cannot use (ZEGOCLOUD renamed or retyped one, a list came as a
 * string, ...). Answering it 4xx would lose it for good after ZEGOCLOUD's five retries; kept
 * here, it can be sent through again once the project is upgraded (local/requeue-quarantined.ts).
 */
export interface QuarantinedCallback {
  readonly schemaVersion: 1;
  /** sha256 of the fields: the same body twice has one id. */
  readonly id: string;
  readonly reason: 'invalid_field';
  /** Where the problem is, ZEGOCLOUD's field name, e.g. `user_ids[2]`. */
  readonly path: string;
  readonly problem: string;
  /** When this stack accepted it, ISO 8601 UTC. */
  readonly receivedAt: string;
  /**
   * Every field as sent but the signature and the nonce, every JSON number as its exact digits
   * (a string), as an `unknown` event carries them.
   */
  readonly fields: { readonly [key: string]: RawValue };
}

const NOT_KEPT = new Set(['signature', 'nonce']);

export function buildQuarantinedCallback(
  fields: FieldMap,
  problem: InvalidFieldError,
  receivedAt: Date,
): { readonly body: string; readonly id: string } {
  const kept = rawFields(fields, NOT_KEPT);
  const id = hash('sha256', canonicalJson(kept), 'hex');
  const message: QuarantinedCallback = {
    schemaVersion: 1,
    id,
    reason: 'invalid_field',
    path: problem.field,
    problem: problem.problem,
    receivedAt: receivedAt.toISOString(),
    fields: kept,
  };
  return { body: sqsSafeJson(JSON.stringify(message)), id };
}

/**
 * The fields of a quarantined callback as the body decoder would have given them, for a second
 * try with newer code. Numbers come back as strings: every reader that takes an integer or an ID
 * takes its digits as a string too.
 */
export function quarantinedFields(fields: { readonly [key: string]: RawValue }): FieldMap {
  const map = new Map<string, FieldValue>();
  for (const [key, value] of Object.entries(fields)) map.set(key, toFieldValue(value));
  return map;
}

function toFieldValue(value: RawValue): FieldValue {
  if (Array.isArray(value)) return value.map(toFieldValue);
  if (value !== null && typeof value === 'object') {
    return quarantinedFields(value as { readonly [key: string]: RawValue });
  }
  return value as string | boolean | null;
}
