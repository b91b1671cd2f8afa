import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as consumer } from '../lambda/consumer.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { callRejectFields } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, uniqueCallId } from './support.js';

const SECRET = 'consumer-secret';
let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  // A one-second visibility timeout lets a failed message come back within the test.
  sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
  client = localSqsClient(sqs.endpoint);
});
afterAll(async () => {
  client.destroy();
  await sqs.close();
});

const { post } = callbackSender(SECRET, () =>
  createHandlerFromEnvironment({
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
  }),
);

function toRecord(message: Message): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: message.Attributes?.MessageGroupId,
      MessageDeduplicationId: message.Attributes?.MessageDeduplicationId,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:zego-callbacks.fifo',
    awsRegion: 'us-east-1',
  };
}

/**
 * What Lambda's SQS event source does once: receive a batch, invoke, delete what did not
 * fail. Failed messages come back after the visibility timeout.
 */
async function pollOnce(): Promise<{ received: number; failed: string[]; logs: string[] }> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: sqs.queueUrl,
      MaxNumberOfMessages: 10,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return { received: 0, failed: [], logs: [] };
  const logs: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    logs.push(String(chunk));
    return true;
  });
  let failed: string[];
  try {
    const event: SQSEvent = { Records: Messages.map(toRecord) };
    failed = (await consumer(event)).batchItemFailures.map((f) => f.itemIdentifier);
  } finally {
    spy.mockRestore();
  }
  const done = Messages.filter((m) => !failed.includes(m.MessageId ?? ''));
  if (done.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: sqs.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return { received: Messages.length, failed, logs };
}

describe('the reference consumer on the embedded SQS', () => {
  it('processes the handler’s messages, one log line per rejected call, and deletes them', async () => {
    const callIds = [uniqueCallId(), uniqueCallId(), uniqueCallId()];
    for (const callId of callIds) {
      expect((await post(callRejectFields({ call_id: callId }))).status).toBe(200);
    }
    const { received, failed, logs } = await pollOnce();
    expect(received).toBe(3);
    expect(failed).toEqual([]);
    const rejected = logs.map((l) => JSON.parse(l)).filter((l) => l.message === 'call rejected');
    expect(rejected.map((l) => l.callId).sort()).toEqual([...callIds].sort());
    expect(await drainQueue(client, sqs.queueUrl)).toHaveLength(0);
  });

  it('reports a poison message failed until SQS moves it to the dead-letter queue after 5 receives', async () => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl,
        MessageBody: '{"schemaVersion":1,"event":"call_reject"}',
        MessageGroupId: 'poison',
        MessageDeduplicationId: 'poison-1',
      }),
    );
    const goodCall = uniqueCallId();
    expect((await post(callRejectFields({ call_id: goodCall }))).status).toBe(200);

    const first = await pollOnce();
    expect(first.received).toBe(2);
    expect(first.failed).toHaveLength(1);
    expect(first.logs.join('')).toContain(goodCall);

    let receives = 1;
    for (let attempt = 0; attempt < 10; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const poll = await pollOnce();
      if (poll.received === 0) break;
      expect(poll.failed).toHaveLength(1);
      receives++;
    }
    expect(receives).toBe(5);
    const parked = await drainQueue(client, sqs.deadLetterQueueUrl);
    expect(parked.map((m) => m.body)).toEqual([{ schemaVersion: 1, event: 'call_reject' }]);
  });
});

describe('the reference consumer’s batch rules', () => {
  const record = (id: string, body: string, group: string): SQSRecord =>
    toRecord({ MessageId: id, Body: body, Attributes: { MessageGroupId: group } });

  it('reports the later messages of a failed message’s call failed too, and goes on with other calls', async () => {
    const good = JSON.stringify({
      schemaVersion: 1,
      id: 'a'.repeat(64),
      event: 'call_reject',
      appId: 1,
      callId: '7',
      userId: 'u',
      extendData: '',
      timestamp: 1,
      receivedAt: '2026-11-25T00:00:00.000Z',
    });
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const result = await consumer({
        Records: [
          record('1', good, '7'),
          record('2', 'poison', '7'),
          record('3', good, '8'),
          record('4', good, '7'),
        ],
      });
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }, { itemIdentifier: '4' }]);
    } finally {
      spy.mockRestore();
    }
  });
});
