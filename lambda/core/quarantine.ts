import { hash } from 'node:crypto';
import type { FieldMap, FieldValue } from './body.js';
import { type RawValue, rawFields } from './callback.js';
import type { InvalidFieldError } from './errors.js';
import { canonicalJson, sqsSafeJson } from './message.js';

/**
 * A callback whose signature, time window and AppID passed but whose fields this version cannot
 * use: answered 4xx it would be lost after ZEGOCLOUD's retries; kept, `npm run requeue` sends it
 * through again after an upgrade.
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
  /** Every field as sent but the signature and nonce, numbers as their digits (as `unknown`). */
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

/** A quarantined callback's fields as decoded, for a second try (numbers come back as strings). */
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
