import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody, type FieldValue } from '../lambda/core/body.js';
import { InvalidFieldError } from '../lambda/core/errors.js';
import type { CallbackMessage } from '../lambda/core/message.js';
import {
  buildQuarantinedCallback,
  type QuarantinedCallback,
  quarantinedFields,
} from '../lambda/core/quarantine.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { requeueQuarantined } from '../local/quarantine-requeuer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, uniqueCallId } from './support.js';

const SECRET = 'requeue-secret';
let sqs: LocalSqs;
let reader: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs();
  reader = localSqsClient(sqs.endpoint);
});
afterAll(async () => {
  reader.destroy();
  await sqs.close();
});

const policy = {
  toleranceSeconds: 0,
  forwardEvents: new Set(['call_reject', 'call_timeout']),
};

describe('sending quarantined callbacks through again', () => {
  it('requeues what this version reads, as the handler would have sent it, and keeps the rest', async () => {
    const handler = createHandlerFromEnvironment({
      QUEUE_URL: sqs.queueUrl,
      QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      CALLBACK_SECRET: SECRET,
      FORWARD_EVENTS: 'call_reject,call_timeout',
    });
    const { post } = callbackSender(SECRET, () => handler);
    // Quarantined by this very handler: a field it cannot use, still unusable after requeueing.
    const unusable = await post({
      appid: '1',
      event: 'call_reject',
      call_id: '5',
      userId: 'renamed',
    });
    expect(unusable.body.status).toBe('quarantined');

    // As an older version (which refused empty user lists) would have quarantined it.
    const callId = uniqueCallId();
    const older: QuarantinedCallback = {
      schemaVersion: 1,
      id: 'f'.repeat(64),
      reason: 'invalid_field',
      path: 'user_ids',
      problem: 'must be a non-empty list',
      receivedAt: '2026-11-25T10:00:00.000Z',
      fields: {
        appid: '1',
        event: 'call_timeout',
        timestamp: '1795600000',
        call_id: callId,
        user_ids: [],
      },
    };
    const ignored = { ...older, fields: { ...older.fields, event: 'call_accept', user_id: 'u' } };
    for (const body of [older, ignored]) {
      await reader.send(
        new SendMessageCommand({
          QueueUrl: sqs.quarantineQueueUrl,
          MessageBody: JSON.stringify(body),
        }),
      );
    }

    const result = await requeueQuarantined(reader, {
      quarantineQueueUrl: sqs.quarantineQueueUrl,
      queueUrl: sqs.queueUrl,
      policy,
    });
    expect(result).toEqual({
      requeued: 1,
      ignored: 1,
      kept: [{ id: unusable.body.id, path: 'user_id', problem: expect.any(String) }],
    });
    const messages = (await drainQueue(reader, sqs.queueUrl)).map((m) => m.body as CallbackMessage);
    expect(messages).toEqual([
      expect.objectContaining({
        event: 'call_timeout',
        callId,
        userIds: [],
        appId: 1,
        timestamp: 1795600000,
        receivedAt: '2026-11-25T10:00:00.000Z',
      }),
    ]);
    // The unusable one is still quarantined, in flight until its visibility timeout passes.
    const { Attributes } = await reader.send(
      new GetQueueAttributesCommand({
        QueueUrl: sqs.quarantineQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
  });

  it('lists each message it cannot read once and ends, however many there are', async () => {
    const unusable = (i: number): QuarantinedCallback => ({
      schemaVersion: 1,
      id: String(i).padStart(64, '0'),
      reason: 'invalid_field',
      path: 'user_id',
      problem: 'must be a non-empty string or a non-negative integer',
      receivedAt: '2026-11-25T10:00:00.000Z',
      fields: { appid: '1', event: 'call_reject', timestamp: '1795600000', call_id: '5' },
    });
    for (let i = 0; i < 25; i++) {
      await reader.send(
        new SendMessageCommand({
          QueueUrl: sqs.quarantineQueueUrl,
          MessageBody: JSON.stringify(unusable(i)),
        }),
      );
    }
    const result = await requeueQuarantined(reader, {
      quarantineQueueUrl: sqs.quarantineQueueUrl,
      queueUrl: sqs.queueUrl,
      policy,
    });
    expect(result.requeued).toBe(0);
    expect(new Set(result.kept.map((k) => k.id)).size).toBe(25);
    expect(result.kept).toHaveLength(25);
  });
});

describe('the fields of a quarantined callback', () => {
  it('read back as the body decoder gave them, nested objects, lists and nulls included', () => {
    const body =
      '{"appid":7,"event":"call_x","a":{"b":[1.5,null,{"c":true,"d":"e"}],"f":null},"g":[],"h":false,"signature":"s","nonce":"n"}';
    const fields = decodeBody({ body, isBase64Encoded: false });
    const kept = JSON.parse(
      buildQuarantinedCallback(fields, new InvalidFieldError('a', 'is odd'), new Date(0)).body,
    ) as QuarantinedCallback;
    // Numbers come back as their digits: every reader that takes a number takes those.
    expect(quarantinedFields(kept.fields)).toEqual(
      new Map<string, FieldValue>([
        ['appid', '7'],
        ['event', 'call_x'],
        [
          'a',
          new Map<string, FieldValue>([
            [
              'b',
              [
                '1.5',
                null,
                new Map<string, FieldValue>([
                  ['c', true],
                  ['d', 'e'],
                ]),
              ],
            ],
            ['f', null],
          ]),
        ],
        ['g', []],
        ['h', false],
      ]),
    );
  });
});
