/**
 * The queue message contract (schemaVersion 1), built from events.ts: the types, the consumers'
 * parser and (`npm run schema`) the JSON Schema. Unknown fields are allowed and ignored; any
 * other change bumps schemaVersion. `zod/mini`: 27 KB in the consumer's minified bundle against
 * 100 KB for classic zod; the receiver imports only types (a test keeps zod out of its bundle).
 */
import * as z from 'zod/mini';
import { CALL_EVENTS, type CallEvent, EVENT_DOCS, EVENT_FIELDS } from './events.js';

/** A JSON value as forwarded raw; every JSON number is given as its exact digits, a string. */
export type RawValue =
  | string
  | boolean
  | null
  | readonly RawValue[]
  | { readonly [key: string]: RawValue };

/** IDs (call, user) are strings of any characters, never empty; digits kept as sent. */
const id = z.string().check(z.minLength(1));
/** Safe integers only: a JSON number beyond 2^53 would not survive JSON.parse exactly. */
const count = z.int().check(z.minimum(0));
/** What the receiver's reader (callback.ts) writes for each field kind of events.ts. */
const KINDS = { id, ids: z.array(id), int: count, text: z.string() };
const ISO_UTC =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/;

// A recursive schema needs its type spelled out: TypeScript cannot infer it through z.lazy.
const rawValue: z.ZodMiniType<RawValue> = z
  .lazy(() =>
    z.union(
      [z.string(), z.boolean(), z.null(), z.array(rawValue), z.record(z.string(), rawValue)],
      'must be a string, boolean, null, array or object (numbers are sent as strings)',
    ),
  )
  .register(z.globalRegistry, {
    id: 'rawValue',
    description:
      'A JSON value as ZEGOCLOUD sent it, every number given as its exact digits in a string.',
  });

/** A field's or event's doc from events.ts as a description: `as sent` -> `As sent.` */
function described<T extends z.ZodMiniType>(schema: T, doc: string | undefined): T {
  return doc === undefined
    ? schema
    : schema.check(z.describe(`${doc[0]?.toUpperCase()}${doc.slice(1)}.`));
}

/**
 * One object per event, all with the same leading fields, in the order the receiver writes
 * them (so the first problem reported is the first one in the message).
 */
function message<E extends CallEvent | 'unknown', F extends z.core.$ZodLooseShape>(
  event: E,
  fields: F,
) {
  const docs: { readonly when: string; readonly fields?: { readonly [name: string]: string } } =
    EVENT_DOCS[event];
  const own = Object.entries(fields).map(([name, schema]) => [
    name,
    described(schema, docs.fields?.[name]),
  ]);
  return described(
    z.object({
      schemaVersion: z.literal(1),
      id: z
        .string()
        .check(
          z.regex(/^[0-9a-f]{64}$/),
          z.describe('The deduplication key: equal for every retry of one event.'),
        ),
      event: z.literal(event),
      appId: count.check(z.describe('ZEGOCLOUD AppID.')),
      timestamp: count.check(z.describe("ZEGOCLOUD's timestamp, Unix seconds.")),
      ...(Object.fromEntries(own) as F),
      receivedAt: z
        .string()
        .check(z.regex(ISO_UTC), z.describe('When the stack accepted it, ISO 8601 UTC.')),
    }),
    docs.when,
  );
}

type Fields<E extends CallEvent> = (typeof EVENT_FIELDS)[E];
type Shape<E extends CallEvent> = {
  -readonly [K in keyof Fields<E>]: (typeof KINDS)[Fields<E>[K] & keyof typeof KINDS];
};
const eventMessage = <E extends CallEvent>(event: E) =>
  message(
    event,
    Object.fromEntries(
      Object.entries(EVENT_FIELDS[event]).map(([name, kind]) => [name, KINDS[kind]]),
    ) as Shape<E>,
  );
type EventMessage = { [E in CallEvent]: ReturnType<typeof eventMessage<E>> }[CallEvent];

/** Every queue message: one per event of events.ts, one for unknown events; unknown fields pass. */
export const callbackMessageSchema = z
  .discriminatedUnion('event', [
    ...(CALL_EVENTS.map(eventMessage) as [EventMessage, ...EventMessage[]]),
    // `event: 'unknown'` (ZEGOCLOUD's name is `rawEvent`) keeps a consumer's switch exhaustive.
    message('unknown', { rawEvent: id, fields: z.record(z.string(), rawValue) }),
  ])
  .register(z.globalRegistry, {
    title: 'ZEGOCLOUD call-invitation callback message, schemaVersion 1',
    description:
      'The body of every message the stack puts on the SQS queue. Unknown properties are allowed and must be ignored: adding one is not a breaking change. Generated from lambda/core/events.ts and contract.ts by `npm run schema`.',
  });

/** Every property readonly, down to the arrays: a message is a value, not a mutable record. */
type Immutable<T> = T extends readonly (infer U)[]
  ? readonly Immutable<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Immutable<T[K]> }
    : T;

/** A queue message, discriminated on `event`. */
export type CallbackMessage = Immutable<z.output<typeof callbackMessageSchema>>;
export type CallbackMessageEvent = CallbackMessage['event'];
/** The message of one event; a new event needs no alias of its own. */
export type MessageOf<E extends CallbackMessageEvent> = Extract<CallbackMessage, { event: E }>;
/** The rejected-call message: what the stack forwards by default. */
export type CallRejectedMessage = MessageOf<'call_reject'>;
export type CallAcceptedMessage = MessageOf<'call_accept'>;
export type CallCreatedMessage = MessageOf<'call_create'>;
export type CallTimedOutMessage = MessageOf<'call_timeout'>;
export type CallCancelledMessage = MessageOf<'call_cancel'>;
export type CallInvitedMessage = MessageOf<'call_invite'>;
export type UnknownEventMessage = MessageOf<'unknown'>;

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

/**
 * The typed message, or a typed error naming the first offending field, from the SQS body or a
 * parsed value. Returns the message itself, not zod's copy, which drops unknown fields and any
 * `"__proto__"` key of a record: zod skips that key, so protoKeyProblem checks it, as data.
 */
export function parseCallbackMessage(body: unknown): ParsedMessage {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch (cause) {
      return { ok: false, error: new InvalidMessageError('$', 'is not JSON', { cause }) };
    }
  }
  const result = callbackMessageSchema.safeParse(value);
  if (!result.success) {
    const { path, message } = firstProblem(result.error.issues);
    return { ok: false, error: new InvalidMessageError(path, message, { cause: result.error }) };
  }
  if (result.data.event === 'unknown') {
    const problem = protoKeyProblem((value as { fields: unknown }).fields, ['fields']);
    if (problem)
      return { ok: false, error: new InvalidMessageError(problem.path, problem.message) };
  }
  // Every field the type declares was checked above; the rest are fields to ignore.
  return { ok: true, message: value as CallbackMessage };
}

interface Problem {
  readonly path: string;
  readonly message: string;
}

type Issue = z.core.$ZodIssue;

/**
 * The first issue, followed into a union's branch of the right type (an object in `fields` with
 * a bad value inside; a raw value's kinds exclude each other): the deepest field is the useful one.
 */
function firstProblem(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): Problem {
  const [issue] = issues;
  if (!issue) return { path: jsonPath(prefix), message: 'is invalid' };
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    const typed = issue.errors.find((branch) => branch[0]?.code !== 'invalid_type');
    if (typed) return firstProblem(typed, path);
  }
  return { path: jsonPath(path), message: issue.message };
}

/** Checks what zod skips: the value of every own `"__proto__"` key in a raw value. */
function protoKeyProblem(value: unknown, path: readonly PropertyKey[]): Problem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const own = Object.getOwnPropertyDescriptor(value, '__proto__');
  if (own && !Array.isArray(value)) {
    const result = rawValue.safeParse(own.value);
    if (!result.success) return firstProblem(result.error.issues, [...path, '__proto__']);
  }
  for (const [key, item] of Object.entries(value)) {
    const problem = protoKeyProblem(item, [...path, Array.isArray(value) ? Number(key) : key]);
    if (problem) return problem;
  }
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `$.userIds[2]`, `$.fields["odd key"]`: the path as a consumer would write it in code. */
function jsonPath(path: readonly PropertyKey[]): string {
  let text = '$';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}
