import { readFileSync } from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import Ajv2020Module from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidMessageError, parseCallbackMessage } from '../lambda/core/contract.js';
import type { CallbackMessage } from '../lambda/core/message.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import type { CallbackValue } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, uniqueCallId } from './support.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const schema = JSON.parse(
  readFileSync(new URL('../schema/callback-message.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ strict: true, allErrors: false }).compile(schema);

const SECRET = 'contract-secret';
let sqs: LocalSqs;
let reader: SQSClient;
const everything = () =>
  createHandlerFromEnvironment({
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    FORWARD_EVENTS: 'call_create,call_accept,call_reject,call_timeout,call_cancel',
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
];

describe('handler output, schema and parser agree', () => {
  let messages: unknown[];
  beforeAll(async () => {
    for (const [event, fields] of CASES) {
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
      'call_create',
      'call_accept',
      'call_reject',
      'call_timeout',
      'call_cancel',
      'unknown',
    ]);
  });

  it.each(CASES.map(([event, , expected], i) => [event, i, expected] as const))(
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
    expect(messages[5]).toMatchObject({
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
    for (const message of messages) {
      expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
      const parsed = parseCallbackMessage(JSON.stringify(message));
      expect(parsed).toEqual({ ok: true, message });
    }
  });

  it('the schema and the parser refuse exactly the same mutations (property test)', () => {
    const valid = messages as Record<string, unknown>[];
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
                'unknown',
                '2026-11-25T19:02:45.347Z',
                1,
                -1,
                1.5,
                [],
                [''],
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
    const parsed = parseCallbackMessage({ ...(messages[3] as object), userIds: ['a', ''] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toBeInstanceOf(InvalidMessageError);
    expect(parsed.error).toMatchObject({ name: 'InvalidMessageError', path: '$.userIds[1]' });
    expect(parseCallbackMessage('not json')).toMatchObject({ ok: false, error: { path: '$' } });
  });
});
