import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../lambda/adapters/deadline.js';
import { SqsQueueSender } from '../lambda/adapters/queue.js';
import { perCallbackClientSettings } from '../lambda/adapters/sdk-client-settings.js';
import { EnqueueError } from '../lambda/core/errors.js';
import type { OutgoingMessage } from '../lambda/core/message.js';
import { startBlackHole } from './support.js';

const message: OutgoingMessage = {
  body: '{}',
  groupId: 'g',
  deduplicationId: 'd',
  attributes: { event: 'call_reject', appId: 1 },
};

async function failureAgainstHangingSqs(deadlineMs: number): Promise<unknown> {
  const hole = await startBlackHole();
  const client = new SQSClient({ ...perCallbackClientSettings, endpoint: hole.endpoint });
  try {
    await new SqsQueueSender(client, `${hole.endpoint}/0/q.fifo`, deadlineMs).send(message);
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
