import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EnqueueError } from '../core/errors.js';
import type { OutgoingMessage } from '../core/message.js';
import { withDeadline } from './deadline.js';

export interface QueueSender {
  /** Resolves with SQS's MessageId only once SQS has stored the message. */
  send(message: OutgoingMessage): Promise<string>;
}

/** Leaves room under ZEGOCLOUD's patience and API Gateway's timeout for a 503 to get out. */
export const ENQUEUE_DEADLINE_MS = 3_000;

export class SqsQueueSender implements QueueSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadlineMs: number = ENQUEUE_DEADLINE_MS,
  ) {}

  async send(message: OutgoingMessage): Promise<string> {
    const command = new SendMessageCommand({
      QueueUrl: this.queueUrl,
      MessageBody: message.body,
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId,
      MessageAttributes: {
        event: { DataType: 'String', StringValue: message.attributes.event },
        appId: { DataType: 'Number', StringValue: String(message.attributes.appId) },
      },
    });
    let messageId: string | undefined;
    try {
      // No options on send: they would defeat the client's middleware cache (see deadline.ts).
      const output = await withDeadline(this.deadlineMs, this.client.send(command));
      messageId = output.MessageId;
    } catch (cause) {
      throw new EnqueueError('the queue did not accept the message', { cause });
    }
    if (messageId === undefined) throw new EnqueueError('the queue returned no MessageId');
    return messageId;
  }
}
