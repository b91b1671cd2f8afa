import type { CallbackMessage } from './message.js';

/**
 * Reading the queue's messages safely: `parseCallbackMessage` accepts exactly what
 * `schema/callback-message.schema.json` accepts (a test holds the two together) and returns
 * the typed message, or a typed error naming the first offending field. Fields it does not
 * know are allowed and ignored: adding a field is not a breaking change of schemaVersion 1.
 */
export class InvalidMessageError extends Error {
  constructor(
    /** JSON path of the offending value, e.g. `$.userIds[2]`. */
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${problem}`, options);
    this.name = 'InvalidMessageError';
  }
}

export type ParsedMessage =
  | { readonly ok: true; readonly message: CallbackMessage }
  | { readonly ok: false; readonly error: InvalidMessageError };

type Check = (value: unknown, path: string) => void;

const fail = (path: string, problem: string): never => {
  throw new InvalidMessageError(path, problem);
};
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text: Check = (v, p) => {
  if (typeof v !== 'string') fail(p, 'must be a string');
};
const nonEmpty: Check = (v, p) => {
  if (typeof v !== 'string' || v === '') fail(p, 'must be a non-empty string');
};
const count: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(p, 'must be a non-negative integer');
  }
};
const ids: Check = (v, p) => {
  if (!Array.isArray(v)) return fail(p, 'must be an array');
  for (const [i, item] of v.entries()) nonEmpty(item, `${p}[${i}]`);
};
/** The same pattern as the JSON Schema's, so that both accept exactly the same times. */
const ISO_UTC =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/;
const isoTime: Check = (v, p) => {
  if (typeof v !== 'string' || !ISO_UTC.test(v)) fail(p, 'must be an ISO 8601 UTC time');
};
const rawValue: Check = (v, p) => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (Array.isArray(v)) {
    for (const [i, item] of v.entries()) rawValue(item, `${p}[${i}]`);
  } else if (isObject(v)) {
    for (const [k, item] of Object.entries(v)) rawValue(item, `${p}.${k}`);
  } else {
    fail(p, 'must be a string, boolean, null, array or object (numbers are sent as strings)');
  }
};
const rawFields: Check = (v, p) => {
  if (!isObject(v)) fail(p, 'must be an object');
  rawValue(v, p);
};

const COMMON: Record<string, Check> = {
  id: (v, p) => {
    if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v))
      fail(p, 'must be 64 lower-case hex digits');
  },
  appId: count,
  timestamp: count,
  receivedAt: isoTime,
};

const ANSWER = { callId: nonEmpty, userId: nonEmpty, extendData: text };
const BY_EVENT: Record<CallbackMessage['event'], Record<string, Check>> = {
  call_reject: ANSWER,
  call_accept: ANSWER,
  call_create: {
    callId: nonEmpty,
    caller: nonEmpty,
    userIds: ids,
    createTime: count,
    timeout: count,
    payload: text,
  },
  call_timeout: { callId: nonEmpty, userIds: ids },
  call_cancel: { callId: nonEmpty, userIds: ids, reason: text, payload: text },
  call_invite: { callId: nonEmpty, userIds: ids, inviter: nonEmpty, inviteTime: count },
  unknown: { rawEvent: nonEmpty, fields: rawFields },
};

export function parseCallbackMessage(body: unknown): ParsedMessage {
  try {
    let value = body;
    if (typeof body === 'string') {
      try {
        value = JSON.parse(body);
      } catch (cause) {
        throw new InvalidMessageError('$', 'is not JSON', { cause });
      }
    }
    if (!isObject(value)) return fail('$', 'must be an object');
    if (value.schemaVersion !== 1) fail('$.schemaVersion', 'must be 1');
    const event = value.event;
    if (typeof event !== 'string' || !Object.hasOwn(BY_EVENT, event)) {
      return fail('$.event', `must be one of ${Object.keys(BY_EVENT).join(', ')}`);
    }
    const checks = { ...COMMON, ...BY_EVENT[event as CallbackMessage['event']] };
    for (const [field, check] of Object.entries(checks)) {
      if (!Object.hasOwn(value, field)) fail(`$.${field}`, 'is required');
      check(value[field], `$.${field}`);
    }
    // Every field the type requires was checked above, with the type's own rules.
    return { ok: true, message: value as unknown as CallbackMessage };
  } catch (error) {
    if (error instanceof InvalidMessageError) return { ok: false, error };
    throw error;
  }
}
