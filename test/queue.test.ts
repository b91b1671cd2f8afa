import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../lambda/adapters/deadline.js';
import { SqsSender } from '../lambda/adapters/queue.js';
import { perCallbackClientSettings } from '../lambda/adapters/sdk-client-settings.js';
import { EnqueueError, QuarantineError } from '../lambda/core/errors.js';
import type { OutgoingMessage } from '../lambda/core/message.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { startLocalSqs } from '../local/sqs.js';
import { startBlackHole } from './support.js';

const message: OutgoingMessage = {
  body: '{}',
  groupId: 'g',
  deduplicationId: 'd',
  attributes: { event: 'call_reject', appId: 1 },
};

async function failureAgainstHangingSqs(
  deadlineMs: number,
  failure: typeof EnqueueError | typeof QuarantineError = EnqueueError,
): Promise<unknown> {
  const hole = await startBlackHole();
  const client = new SQSClient({ ...perCallbackClientSettings, endpoint: hole.endpoint });
  try {
    await new SqsSender(client, `${hole.endpoint}/0/q.fifo`, failure, deadlineMs).send(message);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    client.destroy();
    await hole.close();
  }
}

describe('the queue sender against an SQS that never answers', () => {
  it('is bounded by the SDK itself: each attempt times out and the attempts are limited', async () => {
    const error = await failureAgainstHangingSqs(60_000);
    expect(error).toBeInstanceOf(EnqueueError);
    expect((error as EnqueueError).cause).toMatchObject({ name: 'TimeoutError' });
  });

  it('is cut by the deadline when that comes first', async () => {
    const error = await failureAgainstHangingSqs(200);
    expect(error).toBeInstanceOf(EnqueueError);
    expect((error as EnqueueError).cause).toBeInstanceOf(DeadlineExceededError);
  });
});

describe('one sender for both queues', () => {
  it('sends a callback with its group, deduplication ID and typed attributes, and a quarantined one with its id as both and none', async () => {
    const sqs = await startLocalSqs();
    const client = localSqsClient(sqs.endpoint);
    try {
      await new SqsSender(client, sqs.queueUrl).send(message);
      const id = 'q'.repeat(64);
      await new SqsSender(client, sqs.quarantineQueueUrl, QuarantineError).send({
        body: '{"kept":true}',
        groupId: id,
        deduplicationId: id,
      });
      const [sent] = await drainQueue(client, sqs.queueUrl);
      const [kept] = await drainQueue(client, sqs.quarantineQueueUrl);
      expect(sent).toEqual({
        messageId: expect.any(String),
        groupId: 'g',
        deduplicationId: 'd',
        attributes: { event: 'call_reject', appId: '1' },
        body: {},
      });
      expect(kept).toEqual({
        messageId: expect.any(String),
        groupId: id,
        deduplicationId: id,
        attributes: {},
        body: { kept: true },
      });
    } finally {
      client.destroy();
      await sqs.close();
    }
  });

  it('fails as the error it is given: a quarantine that cannot store answers quarantine_failed', async () => {
    const error = await failureAgainstHangingSqs(200, QuarantineError);
    expect(error).toBeInstanceOf(QuarantineError);
    expect((error as QuarantineError).reason).toBe('quarantine_failed');
    expect((error as QuarantineError).cause).toBeInstanceOf(DeadlineExceededError);
  });
});

describe('what the sender asks SQS for', () => {
  /** A client that records each SendMessage input and answers with `answer`. */
  function recording(answer: { MessageId?: string }) {
    const inputs: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        inputs.push(command.input);
        return answer;
      },
    } as unknown as SQSClient;
    return { inputs, client };
  }

  it('types a number attribute as Number, a string as String, and sends no attribute map when there are none', async () => {
    const { inputs, client } = recording({ MessageId: 'm-1' });
    const sender = new SqsSender(client, 'https://sqs/q.fifo');
    expect(await sender.send(message)).toBe('m-1');
    await sender.send({ body: 'b', groupId: 'q', deduplicationId: 'q' });
    expect(inputs).toStrictEqual([
      {
        QueueUrl: 'https://sqs/q.fifo',
        MessageBody: '{}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
        MessageAttributes: {
          event: { DataType: 'String', StringValue: 'call_reject' },
          appId: { DataType: 'Number', StringValue: '1' },
        },
      },
      {
        QueueUrl: 'https://sqs/q.fifo',
        MessageBody: 'b',
        MessageGroupId: 'q',
        MessageDeduplicationId: 'q',
      },
    ]);
  });

  it('fails when SQS answers without a MessageId: nothing proves the message was stored', async () => {
    const { client } = recording({});
    const error = await new SqsSender(client, 'https://sqs/q.fifo').send(message).catch((e) => e);
    expect(error).toBeInstanceOf(EnqueueError);
    expect((error as EnqueueError).message).toBe('the queue returned no MessageId');
  });
});
