import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';

/** The local SQS behaves as real SQS where our promises depend on it. */
let sqs: LocalSqs;
let client: SQSClient;
let clock = Date.now();

beforeAll(async () => {
  sqs = await startLocalSqs({ now: () => clock, visibilityTimeoutSeconds: 1 });
  client = localSqsClient(sqs.endpoint);
});
afterAll(async () => {
  client.destroy();
  await sqs.close();
});

const send = (groupId: string, deduplicationId: string, body = 'x') =>
  client.send(
    new SendMessageCommand({
      QueueUrl: sqs.queueUrl,
      MessageBody: body,
      MessageGroupId: groupId,
      MessageDeduplicationId: deduplicationId,
    }),
  );
const bodies = async () => (await drainQueue(client, sqs.queueUrl)).map((m) => m.body);

describe('the local SQS deduplication window', () => {
  it('drops a repeat for 5 minutes from the first send, deleted or not, answering success', async () => {
    const first = await send('g1', 'd1', 'first');
    expect(await bodies()).toEqual(['first']);
    clock += 5 * 60_000 - 1_000;
    const repeat = await send('g1', 'd1', 'repeat');
    expect(repeat.MessageId).toBe(first.MessageId);
    expect(await bodies()).toEqual([]);
    clock += 2_000;
    expect((await send('g1', 'd1', 'later')).MessageId).not.toBe(first.MessageId);
    expect(await bodies()).toEqual(['later']);
  });

  it('counts from the first send: a repeat inside the window does not extend it', async () => {
    await send('g2', 'd2', 'first');
    clock += 4 * 60_000;
    await send('g2', 'd2', 'repeat');
    clock += 2 * 60_000;
    await send('g2', 'd2', 'after');
    expect(await bodies()).toEqual(['first', 'after']);
  });

  it('is per message group, as the queues are configured (deduplicationScope messageGroup)', async () => {
    await send('g3', 'd3', 'one');
    await send('g4', 'd3', 'other group');
    expect(await bodies()).toEqual(['one', 'other group']);
  });
});

describe('the local SQS receive', () => {
  /** One receive, its messages deleted (the queue's visibility timeout here is 1 s). */
  const take = async (input: { MaxNumberOfMessages: number; WaitTimeSeconds?: number }) => {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, ...input }),
    );
    if (Messages.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: sqs.queueUrl,
          Entries: Messages.map((m, i) => ({ Id: `${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.map((m) => m.Body);
  };

  it('answers a long poll as soon as a message arrives, not at the end of its wait', async () => {
    const started = Date.now();
    const polled = take({ WaitTimeSeconds: 20, MaxNumberOfMessages: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send('g7', 'd7', 'late');
    expect(await polled).toEqual(['late']);
    // Generous: the embedded server alone answers after the whole 20 s wait.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps a long poll waiting when another reader took the message it saw', async () => {
    const poll = () => take({ WaitTimeSeconds: 5, MaxNumberOfMessages: 10 });
    const [a, b] = [poll(), poll()];
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send('g9-1', 'd9-1', 'first');
    await new Promise((resolve) => setTimeout(resolve, 700));
    await send('g9-2', 'd9-2', 'second');
    expect([await a, await b].sort()).toEqual([['first'], ['second']]);
  });

  it('gives every visible message up to MaxNumberOfMessages, and none past it', async () => {
    for (const n of [1, 2, 3]) await send(`g8-${n}`, `d8-${n}`, `m${n}`);
    expect(await take({ MaxNumberOfMessages: 2 })).toEqual(['m1', 'm2']);
    expect(await take({ MaxNumberOfMessages: 10 })).toEqual(['m3']);
    expect(await take({ MaxNumberOfMessages: 10 })).toEqual([]);
  });
});

describe('the local SQS redrive policy', () => {
  it('moves a message to the dead-letter queue after 5 receives, as maxReceiveCount 5 does', async () => {
    await send('g5', 'd5', 'poison');
    const receive = (queueUrl: string) =>
      client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
      );
    for (let i = 0; i < 5; i++) {
      expect((await receive(sqs.queueUrl)).Messages?.map((m) => m.Body)).toEqual(['poison']);
    }
    expect((await receive(sqs.queueUrl)).Messages).toBeUndefined();
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: sqs.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '1' });
  });
});

describe('the local SQS queue attributes', () => {
  it('counts in ApproximateNumberOfMessages only messages available for retrieval, as SQS does', async () => {
    for (const group of ['a', 'b']) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: sqs.quarantineQueueUrl,
          MessageBody: group,
          MessageGroupId: group,
          MessageDeduplicationId: group,
        }),
      );
    }
    await client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.quarantineQueueUrl, VisibilityTimeout: 60 }),
    );
    const counts = async (AttributeNames: ('All' | 'ApproximateNumberOfMessages')[]) =>
      (
        await client.send(
          new GetQueueAttributesCommand({ QueueUrl: sqs.quarantineQueueUrl, AttributeNames }),
        )
      ).Attributes;
    expect(await counts(['ApproximateNumberOfMessages'])).toEqual({
      ApproximateNumberOfMessages: '1',
    });
    expect(await counts(['All'])).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
  });
});

describe('reading a queue (npm run receive)', () => {
  it('fails, naming it, when SQS lists a message of a delete batch as not deleted', async () => {
    await send('g-del', 'd-del', 'undeleted');
    const refusing = {
      send: (command: object) =>
        command instanceof DeleteMessageBatchCommand
          ? Promise.resolve({
              Failed: [{ Id: '0', Code: 'X', Message: 'denied', SenderFault: true }],
            })
          : client.send(command as ReceiveMessageCommand),
    } as unknown as SQSClient;
    await expect(drainQueue(refusing, sqs.queueUrl)).rejects.toThrow(
      new Error('SQS did not delete 1 message(s): denied'),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // its visibility timeout
    expect(await bodies()).toEqual(['undeleted']);
  });

  it('stops when what it read comes round again after the visibility timeout, and says so', async () => {
    const QueueUrl = sqs.deadLetterQueueUrl;
    const timeout = (VisibilityTimeout: string) =>
      client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout } }));
    await drainQueue(client, QueueUrl); // what the dead-letter test above left there
    await timeout('1');
    for (let i = 0; i < 12; i++) {
      const id = `keep-${i}`;
      await client.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: id,
          MessageGroupId: id,
          MessageDeduplicationId: id,
        }),
      );
    }
    const printed: unknown[] = [];
    let cameRound = 0;
    const kept = await drainQueue(client, QueueUrl, {
      keep: true,
      // The first batch's visibility timeout (1 s here) passes before the next receive.
      onMessage: async (message) => {
        printed.push(message.body);
        if (printed.length === 1) await new Promise((resolve) => setTimeout(resolve, 1_100));
      },
      cameRound: () => cameRound++,
    });
    expect(cameRound).toBe(1);
    expect(kept.map((m) => m.body)).toEqual(printed);
    expect(new Set(printed).size).toBe(printed.length);
    expect(printed.length).toBeGreaterThanOrEqual(10);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the repeats' timeout
    const all = (await drainQueue(client, QueueUrl)).map((m) => m.body);
    expect(all.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `keep-${i}`).sort());
    await timeout('30');
  });
});
