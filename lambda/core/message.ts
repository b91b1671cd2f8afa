import { hash } from 'node:crypto';
import type { Callback, RawValue } from './callback.js';
import { EVENT_FIELDS, type FieldKind } from './events.js';

/** The contract's types; type-only, so the receiver's bundle carries no schema library. */
export type { CallbackMessage, CallRejectedMessage } from './contract.js';

/** What one SendMessage carries. */
export interface OutgoingMessage {
  readonly body: string;
  /** FIFO order is per call: all events of one call stay in order, calls run in parallel. */
  readonly groupId: string;
  readonly deduplicationId: string;
  readonly attributes: { readonly event: string; readonly appId: number };
}

export function buildMessage(callback: Callback, receivedAt: Date): OutgoingMessage {
  const id = deduplicationKey(callback);
  return {
    body: serializeMessage(id, callback, receivedAt.toISOString()),
    groupId: messageGroupId(
      callIdOf(callback) ?? (callback.event === 'unknown' ? callback.rawEvent : callback.event),
    ),
    deduplicationId: id,
    attributes: { event: callback.event, appId: callback.appId },
  };
}

/**
 * `JSON.stringify({ schemaVersion: 1, id, ...callback, receivedAt })` made safe for SQS (`id`
 * and `receivedAt` need no escaping); test/message.test.ts holds the two equal.
 */
export function serializeMessage(id: string, callback: Callback, receivedAt: string): string {
  const fields = JSON.stringify(callback);
  return sqsSafeJson(
    `{"schemaVersion":1,"id":"${id}",${fields.slice(1, -1)},"receivedAt":"${receivedAt}"}`,
  );
}

/**
 * SQS refuses a body with any character outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 * #x10000-#x10FFFF (InvalidMessageContents). JSON.stringify leaves only U+FFFE and U+FFFF of
 * those raw; escaped (they can only be inside strings) they parse back to the same value.
 */
export function sqsSafeJson(json: string): string {
  return json.replace(NOT_SQS_SAFE, escapeUnit);
}

const NOT_SQS_SAFE = /[\uFFFE\uFFFF]/g;
const escapeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16)}`;

/**
 * What makes one event one event: every field of its own (a second rejection of one call differs
 * only in its extend_data), never the timestamp, nonce or signature, which retries change.
 */
export function deduplicationKey(callback: Callback): string {
  const parts: (string | number)[] = [callback.appId, callback.event];
  if (callback.event === 'unknown') {
    parts.push(callback.rawEvent, canonicalJson(callback.fields));
  } else {
    // Fields in definition order as strings, then the user list sorted (its order means
    // nothing): one list at most (test/deduplication-ids.test.ts), or items could change lists.
    const fields: { readonly [name: string]: unknown } = callback;
    const kinds: { readonly [name: string]: FieldKind } = EVENT_FIELDS[callback.event];
    const users: string[] = [];
    for (const name in kinds) {
      if (kinds[name] === 'ids') users.push(...(fields[name] as readonly string[]));
      else parts.push(String(fields[name]));
    }
    parts.push(...users.sort());
  }
  // JSON keeps the parts apart unambiguously, whatever characters an ID holds.
  return hash('sha256', JSON.stringify(parts), 'hex');
}

/** The call an event belongs to, when it names one. */
export function callIdOf(callback: Callback): string | undefined {
  if (callback.event !== 'unknown') return callback.callId;
  const value = callback.fields.call_id;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** JSON with object keys sorted, so that equal values always hash alike. */
export function canonicalJson(value: RawValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as { readonly [key: string]: RawValue };
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] ?? null)}`)
    .join(',')}}`;
}

/** SQS allows 1-128 printable ASCII characters; ZEGOCLOUD's call IDs are digits, so this is rare. */
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

export function messageGroupId(callId: string): string {
  if (GROUP_ID.test(callId)) return callId;
  return `call-${hash('sha256', callId, 'hex')}`;
}
