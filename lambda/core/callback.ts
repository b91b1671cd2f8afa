import { decodeBody, type FieldMap, type FieldValue, JsonNumber, type RawBody } from './body.js';
import type { CallbackMessage, RawValue } from './contract.js';
import { InvalidFieldError, SignatureError } from './errors.js';
import { CALL_EVENTS, type CallEvent, EVENT_FIELDS, type FieldKind } from './events.js';
import { HEX_SHA1, type SignedFields } from './signature.js';

export { CALL_EVENTS, type CallEvent, isCallEvent } from './events.js';
export type { RawValue };

/** Fields every callback carries besides the signature (AppIDs are 32-bit: a number fits). */
export interface Envelope {
  readonly appId: number;
  readonly event: string;
  readonly timestamp: number;
}

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A verified callback: its message without what the receiver adds (types only: no zod here). */
export type Callback = Without<CallbackMessage, 'schemaVersion' | 'id' | 'receivedAt'>;
/** The event-specific part of a callback, discriminated on `event`. */
export type CallDetails = Without<Callback, 'appId' | 'timestamp'>;
type DetailsOf<E extends CallDetails['event']> = Extract<CallDetails, { event: E }>;
export type CallAnswer<E extends 'call_reject' | 'call_accept' = 'call_reject' | 'call_accept'> =
  DetailsOf<E>;
export type CallCreate = DetailsOf<'call_create'>;
export type CallTimeout = DetailsOf<'call_timeout'>;
export type CallCancel = DetailsOf<'call_cancel'>;
export type CallInvite = DetailsOf<'call_invite'>;
/** An event this version does not know, forwarded raw when the operator opts in. */
export type UnknownEvent = DetailsOf<'unknown'>;

/** A decoded body with its signature fields picked out, not yet trusted. */
export interface ReceivedCallback {
  readonly fields: FieldMap;
  readonly signed: SignedFields;
}

/** All that is done to a body before it is verified, linear in its size (hostile-bodies.ts). */
export function receiveCallback(raw: RawBody): ReceivedCallback {
  const fields = decodeBody(raw);
  return { fields, signed: readSignedFields(fields) };
}

/** Signature fields first; what cannot match is refused here, before any secret is read. */
export function readSignedFields(fields: FieldMap): SignedFields {
  const signature = fields.get('signature');
  if (typeof signature !== 'string' || signature === '') {
    throw new SignatureError('signature missing');
  }
  if (!HEX_SHA1.test(signature)) throw new SignatureError('signature missing or malformed');
  const timestamp = idText(fields, 'timestamp');
  // One spelling per number: "0" + T signs the same string as T with a nonce one digit longer.
  if (!/^[1-9][0-9]*$/.test(timestamp)) {
    throw new InvalidFieldError('timestamp', 'must be an integer with no sign or leading zero');
  }
  return {
    // One spelling for what is keyed on it (the replay guard): a re-cased copy is no new key.
    signature: signature.toLowerCase(),
    timestamp,
    nonce: nonceText(fields),
  };
}

/** The nonce's exact text, hashed as sent: a string or any JSON number, negative ones too. */
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

type Reader = (fields: FieldMap, field: string) => unknown;
const READ: { readonly [K in FieldKind]: Reader } = {
  id: idText,
  ids: idList,
  int: safeInteger,
  text: optionalString,
};

/** Per event, in definition order: [message name, body name (its snake_case), reader]. */
const READERS = {} as Record<CallEvent, readonly (readonly [string, string, Reader])[]>;
for (const event of CALL_EVENTS) {
  READERS[event] = Object.entries(EVENT_FIELDS[event]).map(([name, kind]) => [
    name,
    name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
    READ[kind],
  ]);
}

/** The event's own fields, validated, after the envelope's: the first bad field is reported. */
export function readCallback(fields: FieldMap, envelope: Envelope, event: CallEvent): Callback {
  const callback: Record<string, unknown> = {
    event,
    appId: envelope.appId,
    timestamp: envelope.timestamp,
  };
  for (const [name, field, read] of READERS[event]) callback[name] = read(fields, field);
  return callback as Callback;
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
