import { readFileSync } from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import Ajv2020Module from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { CALL_EVENTS, type Callback, isCallEvent } from '../lambda/core/callback.js';
import {
  type CallbackMessage,
  InvalidMessageError,
  parseCallbackMessage,
} from '../lambda/core/contract.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import type { CallbackValue } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import {
  README_FILE,
  renderCallbackMessageSchema,
  SCHEMA_FILE,
  withEventTable,
} from '../scripts/schema.js';
import { callbackSender, uniqueCallId } from './support.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const committed = readFileSync(SCHEMA_FILE, 'utf8');
const schema = JSON.parse(committed);
const validate = new Ajv2020({ strict: true, allErrors: false }).compile(schema);

/** Both readers of the contract give the same verdict, and the parser returns the message. */
function expectAccepted(message: unknown): void {
  expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
  expect(parseCallbackMessage(JSON.stringify(message))).toEqual({ ok: true, message });
}
function expectRefused(message: unknown, path: string): void {
  expect(validate(message)).toBe(false);
  const parsed = parseCallbackMessage(message);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.error).toBeInstanceOf(InvalidMessageError);
  expect(parsed.error).toMatchObject({ name: 'InvalidMessageError', path });
}

describe('the contract, defined once', () => {
  it('ships the JSON Schema exactly as the schema generates it (npm run schema)', () => {
    expect(committed).toBe(renderCallbackMessageSchema());
  });

  it('shows README’s event table exactly as the definitions give it (npm run schema)', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(readme).toBe(withEventTable(readme));
    expect(readme).toContain(
      '| `call_invite` | advanced mode: users invited into a call in progress |',
    );
  });

  it('has a message for every event the receiver knows, and for unknown ones', () => {
    const events = (schema.oneOf as { properties: { event: { const: string } } }[]).map(
      (branch) => branch.properties.event.const,
    );
    expect(events).toEqual(expect.arrayContaining([...CALL_EVENTS, 'unknown']));
  });

  it('types every message the receiver can build as a CallbackMessage (checked by tsc)', () => {
    type Built = {
      readonly schemaVersion: 1;
      readonly id: string;
      readonly receivedAt: string;
    } & Callback;
    expectTypeOf<Built>().toExtend<CallbackMessage>();
    expectTypeOf<CallbackMessage['event']>().toEqualTypeOf<
      | 'call_reject'
      | 'call_accept'
      | 'call_create'
      | 'call_timeout'
      | 'call_cancel'
      | 'call_invite'
      | 'unknown'
    >();
  });
});

const SECRET = 'contract-secret';
let sqs: LocalSqs;
let reader: SQSClient;
const everything = () =>
  createHandlerFromEnvironment({
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    FORWARD_EVENTS: CALL_EVENTS.join(','),
    FORWARD_UNKNOWN_EVENTS: 'true',
  });
const { post } = callbackSender(SECRET, everything);

beforeAll(async () => {
  sqs = await startLocalSqs();
  reader = localSqsClient(sqs.endpoint);
});
afterAll(async () => {
  reader.destroy();
  await sqs.close();
});

/** One callback of every event, as ZEGOCLOUD documents them, and the message each becomes. */
const callId = uniqueCallId();
const CASES: [string, Record<string, CallbackValue>, Record<string, unknown>][] = [
  [
    'call_create',
    {
      caller: 'alice',
      user_ids: ['bob', 'carol'],
      create_time: 1_700_000_000_123n,
      timeout: 30n,
      payload: 'p',
    },
    {
      caller: 'alice',
      userIds: ['bob', 'carol'],
      createTime: 1_700_000_000_123,
      timeout: 30,
      payload: 'p',
    },
  ],
  ['call_accept', { user_id: 'bob', extend_data: 'ok' }, { userId: 'bob', extendData: 'ok' }],
  [
    'call_reject',
    { user_id: 'carol', extend_data: '{"r":1}' },
    { userId: 'carol', extendData: '{"r":1}' },
  ],
  ['call_timeout', { user_ids: ['dave'] }, { userIds: ['dave'] }],
  [
    'call_cancel',
    { user_ids: ['bob', 'carol'], reason: 'caller_cancel', payload: '' },
    { userIds: ['bob', 'carol'], reason: 'caller_cancel', payload: '' },
  ],
  [
    'call_invite',
    { user_ids: ['erin'], inviter: 'alice', invite_time: 1_700_000_000_456n },
    { userIds: ['erin'], inviter: 'alice', inviteTime: 1_700_000_000_456 },
  ],
];
// Events the receiver reads: all of them, as events.ts gives the reader and the contract alike.
const PRODUCED = CASES.filter(([event]) => isCallEvent(event));

/** Messages the cases do not produce (empty lists, other values) that the contract accepts. */
const common = {
  schemaVersion: 1,
  id: 'a'.repeat(64),
  appId: 42,
  timestamp: 1_795_633_365,
  callId: '3501761173612493269',
  receivedAt: '2026-11-25T19:02:45.347Z',
};
const BY_HAND: Record<string, unknown>[] = [
  { ...common, event: 'call_invite', userIds: ['erin'], inviter: 'alice', inviteTime: 1_700_000 },
  { ...common, event: 'call_invite', userIds: [], inviter: 'alice', inviteTime: 0 },
  { ...common, event: 'call_timeout', userIds: [] },
  { ...common, event: 'call_cancel', userIds: [], reason: 'timeout_cancel', payload: '' },
  {
    ...common,
    event: 'call_create',
    caller: 'alice',
    userIds: [],
    createTime: 1,
    timeout: 30,
    payload: '',
  },
];

it('covers every event the receiver knows with a case', () => {
  expect(CALL_EVENTS.filter((event) => !CASES.some(([e]) => e === event))).toEqual([]);
});

describe('handler output, schema and parser agree', () => {
  let messages: unknown[];
  beforeAll(async () => {
    for (const [event, fields] of PRODUCED) {
      expect((await post({ appid: '42', event, call_id: callId, ...fields })).status).toBe(200);
    }
    expect(
      (
        await post({
          appid: 42n,
          event: 'call_transfer',
          call_id: callId,
          target: { user: 'erin', seats: 2 },
          big: 12345678901234567890n,
        })
      ).status,
    ).toBe(200);
    messages = (await drainQueue(reader, sqs.queueUrl)).map((m) => m.body);
  });

  it('produces one message per event, in the order of the call', () => {
    expect(messages.map((m) => (m as CallbackMessage).event)).toEqual([
      ...PRODUCED.map(([event]) => event),
      'unknown',
    ]);
  });

  it.each(PRODUCED.map(([event, , expected], i) => [event, i, expected] as const))(
    'turns %s into its own typed fields',
    (event, i, expected) => {
      expect(messages[i]).toEqual({
        schemaVersion: 1,
        id: expect.stringMatching(/^[0-9a-f]{64}$/),
        event,
        appId: 42,
        callId,
        timestamp: expect.any(Number),
        receivedAt: expect.any(String),
        ...expected,
      });
    },
  );

  it('forwards an unknown event raw, with every number as its exact digits', () => {
    expect(messages[PRODUCED.length]).toMatchObject({
      event: 'unknown',
      rawEvent: 'call_transfer',
      fields: {
        call_id: callId,
        target: { user: 'erin', seats: '2' },
        big: '12345678901234567890',
      },
    });
  });

  it('every message validates against the JSON Schema and parses to the same value', () => {
    for (const message of messages) expectAccepted(message);
  });

  it('accepts, by both, messages written by hand: empty user lists, other values', () => {
    for (const message of BY_HAND) expectAccepted(message);
    for (const [event, , expected] of CASES) {
      expectAccepted({ ...common, event, ...expected });
    }
  });

  it('the schema and the parser refuse exactly the same mutations (property test)', () => {
    const valid = [...messages, ...BY_HAND] as Record<string, unknown>[];
    const keys = [...new Set(valid.flatMap((m) => Object.keys(m)))];
    let cases = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.oneof(
          fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom(...keys) }),
          fc.record({
            kind: fc.constant('set' as const),
            key: fc.constantFrom(...keys, 'extra'),
            value: fc.oneof(
              fc.jsonValue(),
              fc.constantFrom(
                '',
                'call_reject',
                'call_invite',
                'unknown',
                '2026-11-25T19:02:45.347Z',
                1,
                -1,
                1.5,
                2 ** 53,
                [],
                [''],
                JSON.parse('{"__proto__":1}'),
                JSON.parse('{"__proto__":{"a":"1"}}'),
              ),
            ),
          }),
        ),
        (message, mutation) => {
          const mutated: Record<string, unknown> = { ...message };
          if (mutation.kind === 'drop') delete mutated[mutation.key];
          else mutated[mutation.key] = mutation.value;
          const bySchema = validate(mutated);
          const byParser = parseCallbackMessage(mutated).ok;
          cases++;
          if (!byParser) refused++;
          expect(byParser).toBe(bySchema);
        },
      ),
      { numRuns: 3000 },
    );
    // Both verdicts must occur, or the property proved nothing.
    expect(refused).toBeGreaterThan(100);
    expect(cases - refused).toBeGreaterThan(100);
    process.stdout.write(
      `contract agreement: ${cases} mutated messages, ${refused} refused by both\n`,
    );
  });

  it('refuses arbitrary JSON the same way too', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseCallbackMessage(value).ok).toBe(validate(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('names the offending field in a typed error', () => {
    const timeout = messages[PRODUCED.findIndex(([event]) => event === 'call_timeout')] as object;
    expectRefused({ ...timeout, userIds: ['a', ''] }, '$.userIds[1]');
    expectRefused({ ...timeout, event: 'call_transferred' }, '$.event');
    expectRefused({ ...timeout, timestamp: 1.5 }, '$.timestamp');
    expectRefused({ ...BY_HAND[0], inviteTime: -1 }, '$.inviteTime');
    const unknown = messages[PRODUCED.length] as object;
    expectRefused({ ...unknown, fields: { target: { seats: 2 } } }, '$.fields.target.seats');
    expectRefused({ ...unknown, fields: { 'odd key': [true, 3] } }, '$.fields["odd key"][1]');
    expect(parseCallbackMessage('not json')).toMatchObject({ ok: false, error: { path: '$' } });
    expect(parseCallbackMessage([])).toMatchObject({ ok: false, error: { path: '$' } });
  });

  it('says what a raw value may be, at the deepest field, and quotes a key no identifier spells', () => {
    const unknown = messages[PRODUCED.length] as object;
    const kinds = 'must be a string, boolean, null, array or object (numbers are sent as strings)';
    for (const [fields, path] of [
      [{ target: { seats: 2 } }, '$.fields.target.seats'],
      [{ list: ['a', ['b', 2]] }, '$.fields.list[1][1]'],
      [{ '2nd': 2 }, '$.fields["2nd"]'],
      [{ _ok$1: { 'a-b': [1] } }, '$.fields._ok$1["a-b"][0]'],
    ] as const) {
      const parsed = parseCallbackMessage({ ...unknown, fields });
      expect(parsed).toEqual({ ok: false, error: new InvalidMessageError(path, kinds) });
      expect(validate({ ...unknown, fields })).toBe(false);
    }
  });

  it('tells a body that is not JSON from one that is not a message, the parse error as cause', () => {
    const parsed = parseCallbackMessage('{"schemaVersion":1,');
    expect(parsed).toEqual({ ok: false, error: new InvalidMessageError('$', 'is not JSON') });
    expect(!parsed.ok && parsed.error.cause).toBeInstanceOf(SyntaxError);
    const notAMessage = parseCallbackMessage('{"schemaVersion":1}');
    expect(!notAMessage.ok && notAMessage.error.message).toBe('$.event: Invalid input');
    // zod's own report, every issue in it, for whoever debugs the consumer.
    expect(!notAMessage.ok && notAMessage.error.cause).toMatchObject({
      issues: [{ code: 'invalid_union', path: ['event'] }],
    });
  });
});

describe('a "__proto__" key in an unknown event’s fields', () => {
  const unknown = (fields: string) =>
    `{"schemaVersion":1,"id":"${'b'.repeat(64)}","event":"unknown","appId":1,"timestamp":1,"rawEvent":"call_transfer","fields":${fields},"receivedAt":"2026-11-25T19:02:45.347Z"}`;

  it('is kept as data, checked like any other value, and changes no prototype', () => {
    const body = unknown('{"__proto__":{"polluted":"yes"},"nested":{"__proto__":["x"]}}');
    expect(validate(JSON.parse(body))).toBe(true);
    const parsed = parseCallbackMessage(body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.message.event !== 'unknown') return;
    const { fields } = parsed.message;
    expect(Object.keys(fields)).toEqual(['__proto__', 'nested']);
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toEqual({
      polluted: 'yes',
    });
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(fields.nested, '__proto__')?.value).toEqual(['x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is refused, with its path, when its value is not a raw value, as the JSON Schema refuses it', () => {
    for (const [fields, path] of [
      ['{"__proto__":5}', '$.fields.__proto__'],
      ['{"a":{"__proto__":{"b":[1]}}}', '$.fields.a.__proto__.b[0]'],
      ['{"__proto__":{"__proto__":true,"c":{"__proto__":2}}}', '$.fields.__proto__.c.__proto__'],
    ] as const) {
      const body = unknown(fields);
      expect(validate(JSON.parse(body)), fields).toBe(false);
      expect(parseCallbackMessage(body)).toMatchObject({ ok: false, error: { path } });
    }
  });
});
