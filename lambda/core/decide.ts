import { type FieldMap, JsonNumber } from './body.js';
import {
  type Callback,
  type Envelope,
  isCallEvent,
  readAppId,
  readCallback,
  readEnvelope,
  readUnknownCallback,
} from './callback.js';
import { AppIdMismatchError, InvalidFieldError } from './errors.js';
import { buildMessage, type OutgoingMessage } from './message.js';
import { buildQuarantinedCallback } from './quarantine.js';
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
}

export type Decision =
  | { readonly action: 'enqueue'; readonly callback: Callback; readonly message: OutgoingMessage }
  /** Signed and valid, but not an event the operator forwards: answered 2xx so it is not retried. */
  | { readonly action: 'ignore'; readonly envelope: Envelope; readonly callId?: string }
  /** Signed, fresh, the right AppID, but a field this version cannot use: kept, answered 2xx. */
  | {
      readonly action: 'quarantine';
      readonly problem: InvalidFieldError;
      readonly message: { readonly body: string; readonly id: string };
      /** As sent, when it was a string: for the log line only. */
      readonly event?: string;
      readonly appId?: number;
      readonly callId?: string;
    };

/** Once verified: the signature is only accepted inside the time window. */
export function checkFreshness(signed: SignedFields, policy: Policy, now: Date): void {
  checkTimestamp(signed.timestamp, Math.floor(now.getTime() / 1000), policy.toleranceSeconds);
}

/**
 * Everything after the signature, time window and replay guard: the AppID, then the event's own
 * fields. A field problem here no longer refuses the callback (ZEGOCLOUD would retry five times
 * and drop it): it is quarantined. Pure: the clock comes in as `now`.
 */
export function decide(fields: FieldMap, policy: Policy, now: Date): Decision {
  if (policy.appId !== undefined) {
    const appId = readAppId(fields);
    if (appId !== policy.appId) {
      throw new AppIdMismatchError(
        appId === undefined ? 'callback has no usable AppID' : `callback is for AppID ${appId}`,
      );
    }
  }
  try {
    const envelope = readEnvelope(fields);
    let callback: Callback;
    if (isCallEvent(envelope.event)) {
      if (!policy.forwardEvents.has(envelope.event)) {
        return { action: 'ignore', envelope, callId: peekCallId(fields) };
      }
      callback = readCallback(fields, envelope, envelope.event);
    } else {
      if (!policy.forwardUnknownEvents) {
        return { action: 'ignore', envelope, callId: peekCallId(fields) };
      }
      callback = readUnknownCallback(fields, envelope);
    }
    return { action: 'enqueue', callback, message: buildMessage(callback, now) };
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    const event = fields.get('event');
    return {
      action: 'quarantine',
      problem: error,
      message: buildQuarantinedCallback(fields, error, now),
      event: typeof event === 'string' ? event : undefined,
      appId: readAppId(fields),
      callId: peekCallId(fields),
    };
  }
}

/** The call an event names, for the log line of a callback that is not read in full. */
function peekCallId(fields: FieldMap): string | undefined {
  const value = fields.get('call_id');
  if (typeof value === 'string' && value !== '') return value;
  return value instanceof JsonNumber ? value.text : undefined;
}
