import { decodeBody, type FieldMap, type FieldValue, JsonNumber, type RawBody } from './body.js';
import type { RawValue } from './contract.js';
import { InvalidFieldError, SignatureError } from './errors.js';
import type { SignedFields } from './signature.js';

/** The call-invitation events ZEGOCLOUD sends to the one callback URL of a project. */
export const CALL_EVENTS = [
  'call_create',
  'call_accept',
  'call_reject',
  'call_timeout',
  'call_cancel',
  'call_invite',
] as const;
export type CallEvent = (typeof CALL_EVENTS)[number];

export function isCallEvent(name: string): name is CallEvent {
  return (CALL_EVENTS as readonly string[]).includes(name);
}

/** Fields every callback carries besides the signature. */
export interface Envelope {
  /** Digits only; a number fits in a double (AppIDs are 32-bit). */
  readonly appId: number;
  readonly event: string;
  /** Unix seconds, as ZEGOCLOUD stamped it. */
  readonly timestamp: number;
}

/** A callee rejected (or accepted) the invitation. */
export interface CallAnswer<
  E extends 'call_reject' | 'call_accept' = 'call_reject' | 'call_accept',
> {
  readonly event: E;
  readonly callId: string;
  readonly userId: string;
  /** Exactly as received; '' when ZEGOCLOUD sent none. */
  readonly extendData: string;
}

export interface CallCreate {
  readonly event: 'call_create';
  readonly callId: string;
  readonly caller: string;
  readonly userIds: readonly string[];
  /** Unix seconds in ZEGOCLOUD's sample (1499676968), passed on as sent. */
  readonly createTime: number;
  /** Seconds the callees have to answer. */
  readonly timeout: number;
  readonly payload: string;
}

/** Some callees did not answer in time (or none did and the caller is offline). */
export interface CallTimeout {
  readonly event: 'call_timeout';
  readonly callId: string;
  /** Those who did not answer; may be empty. */
  readonly userIds: readonly string[];
}

export interface CallCancel {
  readonly event: 'call_cancel';
  readonly callId: string;
  /** May list callees who have logged out; may be empty. */
  readonly userIds: readonly string[];
  /**
   * `caller_cancel` (the caller cancelled) or `timeout_cancel` (nobody answered while the
   * caller was online); kept as sent, whatever else ZEGOCLOUD adds.
   */
  readonly reason: string;
  readonly payload: string;
}

/** Advanced mode: users invited into a call already in progress. */
export interface CallInvite {
  readonly event: 'call_invite';
  readonly callId: string;
  readonly userIds: readonly string[];
  readonly inviter: string;
  /** Unix milliseconds (ZEGOCLOUD's call_create uses seconds; this one does not). */
  readonly inviteTime: number;
}

/** A raw JSON value is defined once, by the contract (a type import: no schema library here). */
export type { RawValue };

/**
 * An event this contract version does not know (ZEGOCLOUD may add events at any time),
 * forwarded only when the operator opts in. `event` is the literal 'unknown' so that a
 * consumer's switch on `event` stays exhaustive; ZEGOCLOUD's name is `rawEvent`.
 */
export interface UnknownEvent {
  readonly event: 'unknown';
  readonly rawEvent: string;
  /** Every field as sent, but the signature, nonce and timestamp and the envelope's appid and event. */
  readonly fields: { readonly [key: string]: RawValue };
}

/** The event-specific part of a verified callback, discriminated on `event`. */
export type CallDetails =
  | CallAnswer<'call_reject'>
  | CallAnswer<'call_accept'>
  | CallCreate
  | CallTimeout
  | CallCancel
  | CallInvite
  | UnknownEvent;

/** A verified callback: its envelope and its event's fields, in camelCase. */
export type Callback = Envelope & CallDetails;

/** A decoded body with its signature fields picked out, not yet trusted. */
export interface ReceivedCallback {
  readonly fields: FieldMap;
  readonly signed: SignedFields;
}

/**
 * Decoding and the signature fields: all that is done to a body before it is verified, and all
 * of it linear in the body's size (test/fixtures/hostile-bodies.ts holds it to that).
 */
export function receiveCallback(raw: RawBody): ReceivedCallback {
  const fields = decodeBody(raw);
  return { fields, signed: readSignedFields(fields) };
}

/** Signature fields first: nothing else is worth reading from an unauthenticated body. */
export function readSignedFields(fields: FieldMap): SignedFields {
  const signature = fields.get('signature');
  if (typeof signature !== 'string' || signature === '') {
    throw new SignatureError('signature missing');
  }
  return {
    // ZEGOCLOUD sends lower-case hex; the check accepts either case, so one spelling is kept
    // for everything keyed on it (the replay guard), or each re-cased copy would be a new key.
    signature: signature.toLowerCase(),
    timestamp: digits(fields, 'timestamp'),
    nonce: nonceText(fields),
  };
}

/**
 * The nonce is hashed as sent: its exact text, a string or any JSON number (ZEGOCLOUD calls it
 * a random string and suggests reading it as an Int; a signed negative one must not be refused).
 */
function nonceText(fields: FieldMap): string {
  const value = fields.get('nonce');
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string' && value !== '') return value;
  throw new InvalidFieldError('nonce', 'must be a non-empty string or a number');
}

/** The AppID when it is usable, else undefined (the caller decides what that means). */
export function readAppId(fields: FieldMap): number | undefined {
  try {
    return safeInteger(fields, 'appid');
  } catch {
    return undefined;
  }
}

export function readEnvelope(fields: FieldMap): Envelope {
  return {
    appId: safeInteger(fields, 'appid'),
    event: nonEmptyString(fields, 'event'),
    timestamp: safeInteger(fields, 'timestamp'),
  };
}

/**
 * The event's own fields, validated, with the envelope's: one object literal per event, so
 * every callback of an event has the same shape (and the same fast path in the engine).
 */
export function readCallback(fields: FieldMap, envelope: Envelope, event: CallEvent): Callback {
  const { appId, timestamp } = envelope;
  switch (event) {
    case 'call_reject':
    case 'call_accept':
      return {
        event,
        appId,
        timestamp,
        callId: idText(fields, 'call_id'),
        userId: idText(fields, 'user_id'),
        extendData: optionalString(fields, 'extend_data'),
      };
    case 'call_create':
      return {
        event,
        appId,
        timestamp,
        callId: idText(fields, 'call_id'),
        caller: idText(fields, 'caller'),
        userIds: idList(fields, 'user_ids'),
        createTime: safeInteger(fields, 'create_time'),
        timeout: safeInteger(fields, 'timeout'),
        payload: optionalString(fields, 'payload'),
      };
    case 'call_timeout':
      return {
        event,
        appId,
        timestamp,
        callId: idText(fields, 'call_id'),
        userIds: idList(fields, 'user_ids'),
      };
    case 'call_cancel':
      return {
        event,
        appId,
        timestamp,
        callId: idText(fields, 'call_id'),
        userIds: idList(fields, 'user_ids'),
        reason: optionalString(fields, 'reason'),
        payload: optionalString(fields, 'payload'),
      };
    case 'call_invite':
      return {
        event,
        appId,
        timestamp,
        callId: idText(fields, 'call_id'),
        userIds: idList(fields, 'user_ids'),
        inviter: idText(fields, 'inviter'),
        inviteTime: safeInteger(fields, 'invite_time'),
      };
  }
}

/** Fields that are the envelope or the signature, not the event's own. */
const NOT_EVENT_FIELDS = new Set(['appid', 'event', 'nonce', 'signature', 'timestamp']);

export function readUnknownCallback(fields: FieldMap, envelope: Envelope): Callback {
  return {
    event: 'unknown',
    rawEvent: envelope.event,
    appId: envelope.appId,
    timestamp: envelope.timestamp,
    fields: rawFields(fields, NOT_EVENT_FIELDS),
  };
}

/**
 * The fields as a plain JSON object, numbers as their exact text, leaving out `omit`. Objects
 * have no prototype, so that a `"__proto__"` field is data like any other (assigned to `{}` it
 * would replace the prototype and vanish from the message and its deduplication key).
 */
export function rawFields(
  fields: FieldMap,
  omit: ReadonlySet<string> = new Set(),
): { [key: string]: RawValue } {
  const object: { [key: string]: RawValue } = Object.create(null);
  for (const [key, value] of fields) {
    if (!omit.has(key)) object[key] = toRawValue(value);
  }
  return object;
}

function toRawValue(value: FieldValue): RawValue {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return value.map(toRawValue);
  if (value instanceof Map) return rawFields(value);
  return value as string | boolean | null;
}

const DIGITS = /^[0-9]+$/;
/** 15 digits always fit a double exactly. */
const SAFE_DIGITS = /^[0-9]{1,15}$/;

/** Text of an identifier sent as a string or as a JSON integer (kept digit for digit). */
function idValue(value: FieldValue | undefined, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (value instanceof JsonNumber && DIGITS.test(value.text)) return value.text;
  throw new InvalidFieldError(field, 'must be a non-empty string or a non-negative integer');
}

function idText(fields: FieldMap, field: string): string {
  return idValue(fields.get(field), field);
}

/** ZEGOCLOUD's pages never say a user list is non-empty: an empty one is a valid list. */
function idList(fields: FieldMap, field: string): string[] {
  const value = fields.get(field);
  if (!Array.isArray(value)) throw new InvalidFieldError(field, 'must be a list');
  return value.map((item: FieldValue, i) => idValue(item, `${field}[${i}]`));
}

function digits(fields: FieldMap, field: string): string {
  const text = idText(fields, field);
  if (!DIGITS.test(text)) throw new InvalidFieldError(field, 'must be an integer');
  return text;
}

function safeInteger(fields: FieldMap, field: string): number {
  const text = idText(fields, field);
  if (!SAFE_DIGITS.test(text))
    throw new InvalidFieldError(field, 'must be an integer of at most 15 digits');
  return Number(text);
}

function nonEmptyString(fields: FieldMap, field: string): string {
  const value = fields.get(field);
  if (typeof value !== 'string' || value === '') {
    throw new InvalidFieldError(field, 'must be a non-empty string');
  }
  return value;
}

function optionalString(fields: FieldMap, field: string): string {
  const value = fields.get(field);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new InvalidFieldError(field, 'must be a string');
  return value;
}
