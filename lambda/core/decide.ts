import { decodeBody, type FieldMap, MAX_BODY_BYTES, type RawBody } from './body.js';
import {
  type Callback,
  type Envelope,
  isCallEvent,
  readCallback,
  readEnvelope,
  readSignedFields,
  readUnknownCallback,
} from './callback.js';
import { AppIdMismatchError } from './errors.js';
import { buildMessage, type OutgoingMessage } from './message.js';
import { checkTimestamp, type SignedFields } from './signature.js';

/** What the operator chose to accept and forward. */
export interface Policy {
  /** Seconds a callback's timestamp may differ from now; 0 switches the check off. */
  readonly toleranceSeconds: number;
  /** When set, callbacks of any other AppID are refused. */
  readonly appId?: number | undefined;
  readonly forwardEvents: ReadonlySet<string>;
  /** Forward events this version does not know, raw, rather than answer them 200 and drop them. */
  readonly forwardUnknownEvents?: boolean;
  readonly maxBodyBytes?: number;
}

/** A decoded body with its signature fields picked out, not yet trusted. */
export interface ReceivedCallback {
  readonly fields: FieldMap;
  readonly signed: SignedFields;
}

export type Decision =
  | { readonly action: 'enqueue'; readonly callback: Callback; readonly message: OutgoingMessage }
  /** Signed and valid, but not an event the operator forwards: answered 2xx so it is not retried. */
  | { readonly action: 'ignore'; readonly envelope: Envelope };

export function receiveCallback(raw: RawBody, policy: Policy): ReceivedCallback {
  const fields = decodeBody(raw, policy.maxBodyBytes ?? MAX_BODY_BYTES);
  return { fields, signed: readSignedFields(fields) };
}

/**
 * Everything after the signature has been verified: freshness, AppID, the event's own fields.
 * Pure: the clock comes in as `now`.
 */
export function decide(received: ReceivedCallback, policy: Policy, now: Date): Decision {
  checkTimestamp(
    received.signed.timestamp,
    Math.floor(now.getTime() / 1000),
    policy.toleranceSeconds,
  );
  const envelope = readEnvelope(received.fields);
  if (policy.appId !== undefined && envelope.appId !== policy.appId) {
    throw new AppIdMismatchError(`callback is for AppID ${envelope.appId}`);
  }
  let callback: Callback;
  if (isCallEvent(envelope.event)) {
    if (!policy.forwardEvents.has(envelope.event)) return { action: 'ignore', envelope };
    callback = readCallback(received.fields, envelope, envelope.event);
  } else {
    if (!policy.forwardUnknownEvents) return { action: 'ignore', envelope };
    callback = readUnknownCallback(received.fields, envelope);
  }
  return { action: 'enqueue', callback, message: buildMessage(callback, now) };
}
