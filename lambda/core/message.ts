import { hash } from 'node:crypto';
import type { Callback, CallDetails, RawValue } from './callback.js';
import { isoTimestamp } from './time.js';

/**
 * The queue message contract (schemaVersion 1) is defined once, as a schema, in contract.ts;
 * these are its types. Type-only: the receiver's bundle carries no schema library.
 */
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
    body: serializeMessage(id, callback, isoTimestamp(receivedAt)),
    groupId: messageGroupId(
      callIdOf(callback) ?? (callback.event === 'unknown' ? callback.rawEvent : callback.event),
    ),
    deduplicationId: id,
    attributes: { event: callback.event, appId: callback.appId },
  };
}

/**
 * `JSON.stringify({ schemaVersion: 1, id, ...callback, receivedAt })` (a CallbackMessage),
 * character for character, without copying the callback into a new object first: that copy
 * was a third of the message's cost. `id` is hex and `receivedAt` ISO 8601: neither needs
 * escaping. test/message.test.ts holds the two equal over arbitrary callbacks.
 */
export function serializeMessage(id: string, callback: Callback, receivedAt: string): string {
  const fields = JSON.stringify(callback);
  return `{"schemaVersion":1,"id":"${id}",${fields.slice(1, -1)},"receivedAt":"${receivedAt}"}`;
}

/**
 * What makes one event one event. The timestamp, nonce and signature are left out on purpose:
 * ZEGOCLOUD re-signs its retries, and those must collapse into the first message.
 */
export function deduplicationKey(callback: Callback): string {
  const parts: (string | number)[] = [callback.appId, callback.event];
  parts.push(...eventIdentity(callback));
  // JSON keeps the parts apart unambiguously, whatever characters an ID holds.
  return hash('sha256', JSON.stringify(parts), 'hex');
}

function eventIdentity(details: CallDetails): readonly string[] {
  switch (details.event) {
    case 'call_reject':
    case 'call_accept':
      return [details.callId, details.userId];
    case 'call_timeout':
      // One timeout callback per set of callees that timed out; the order is not meaningful.
      return [details.callId, ...[...details.userIds].sort()];
    case 'call_create':
    case 'call_cancel':
      return [details.callId];
    case 'unknown':
      // Nothing is known of what identifies it: all of its own fields do.
      return [details.rawEvent, canonicalJson(details.fields)];
  }
}

/** The call an event belongs to, when it names one. */
export function callIdOf(callback: Callback): string | undefined {
  if (callback.event !== 'unknown') return callback.callId;
  const value = callback.fields.call_id;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** JSON with object keys sorted, so that equal values always hash alike. */
function canonicalJson(value: RawValue): string {
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
