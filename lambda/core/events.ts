/**
 * Every call-invitation event ZEGOCLOUD sends, defined once: its fields in order, each by its
 * message name (the body's is the snake_case of it) and its kind. The reader (callback.ts), the
 * deduplication key (message.ts), the contract (contract.ts), its JSON Schema and README's event
 * table follow from here (`npm run schema` regenerates the last two).
 */

/**
 * How a field is read (callback.ts): `id` a non-empty string or JSON digits kept as text, `ids` a
 * list of those (may be empty), `int` at most 15 digits, `text` a string, '' when absent or null.
 */
export type FieldKind = 'id' | 'ids' | 'int' | 'text';

const answer = { callId: 'id', userId: 'id', extendData: 'text' } as const;

export const EVENT_FIELDS = {
  call_create: {
    callId: 'id',
    caller: 'id',
    userIds: 'ids',
    createTime: 'int',
    timeout: 'int',
    payload: 'text',
  },
  call_accept: answer,
  call_reject: answer,
  call_timeout: { callId: 'id', userIds: 'ids' },
  call_cancel: { callId: 'id', userIds: 'ids', reason: 'text', payload: 'text' },
  call_invite: { callId: 'id', userIds: 'ids', inviter: 'id', inviteTime: 'int' },
} as const satisfies Record<string, Readonly<Record<string, FieldKind>>>;

export type CallEvent = keyof typeof EVENT_FIELDS;
export const CALL_EVENTS = Object.keys(EVENT_FIELDS) as readonly CallEvent[];

export function isCallEvent(name: string): name is CallEvent {
  return (CALL_EVENTS as readonly string[]).includes(name);
}

const answerDocs = { userId: 'the callee', extendData: 'as sent, `""` when absent' };
type Docs<F> = { readonly when: string; readonly fields?: { readonly [K in keyof F]?: string } };

/** For the JSON Schema and README only: the receiver never imports it, so its bundle drops it. */
export const EVENT_DOCS: { readonly [E in CallEvent]: Docs<(typeof EVENT_FIELDS)[E]> } & {
  readonly unknown: Docs<{ rawEvent: string; fields: object }>;
} = {
  call_create: {
    when: 'an invitation was sent',
    fields: {
      createTime: "Unix seconds in ZEGOCLOUD's sample, passed on as sent",
      timeout: 'seconds the callees have to answer',
    },
  },
  call_accept: { when: 'a callee accepted', fields: answerDocs },
  call_reject: { when: 'a callee rejected', fields: answerDocs },
  call_timeout: {
    when: 'some callees did not answer in time (or none did and the caller is offline)',
    fields: { userIds: 'those who did not answer' },
  },
  call_cancel: {
    when: 'the caller cancelled (`reason: "caller_cancel"`), or nobody answered while the caller is online (`"timeout_cancel"`)',
    fields: {
      userIds: 'may list callees who logged out',
      reason: 'kept as sent, whatever ZEGOCLOUD adds',
    },
  },
  call_invite: {
    when: 'advanced mode: users invited into a call in progress',
    fields: { inviteTime: 'Unix milliseconds' },
  },
  unknown: {
    when: 'any other event, with `forwardUnknownEvents`',
    fields: {
      rawEvent: "ZEGOCLOUD's name",
      fields:
        'every field as sent but the envelope and signature, numbers as their digits in strings',
    },
  },
};
