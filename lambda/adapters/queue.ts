import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type CallbackError, EnqueueError } from '../core/errors.js';
import { withDeadline } from './deadline.js';

/** A message for a FIFO queue; attributes that are numbers go as SQS's Number type. */
export interface SqsMessage {
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  readonly attributes?: Readonly<Record<string, string | number>>;
}

export interface QueueSender {
  /** Resolves with SQS's MessageId only once SQS has stored the message, within `withinMs`. */
  send(message: SqsMessage, withinMs?: number): Promise<string>;
}

/** Leaves room under ZEGOCLOUD's patience and API Gateway's timeout for a 503 to get out. */
export const ENQUEUE_DEADLINE_MS = 3_000;

/** Sends to one queue; a failure is `failure` (the callback queue's or the quarantine's). */
export class SqsSender implements QueueSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly failure: new (
      message: string,
      options?: { cause?: unknown },
    ) => CallbackError = EnqueueError,
    private readonly deadlineMs: number = ENQUEUE_DEADLINE_MS,
  ) {}

  async send(message: SqsMessage, withinMs = this.deadlineMs): Promise<string> {
    const attributes = Object.entries(message.attributes ?? {}).map(
      ([name, value]): [string, MessageAttributeValue] => [
        name,
        { DataType: typeof value === 'number' ? 'Number' : 'String', StringValue: String(value) },
      ],
    );
    const command = new SendMessageCommand({
      QueueUrl: this.queueUrl,
      MessageBody: message.body,
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId,
      ...(attributes.length > 0 && { MessageAttributes: Object.fromEntries(attributes) }),
    });
    let messageId: string | undefined;
    try {
      // No options on send: they would defeat the client's middleware cache (sdk-client-settings.ts).
      const output = await withDeadline(
        Math.min(this.deadlineMs, withinMs),
        this.client.send(command),
      );
      messageId = output.MessageId;
    } catch (cause) {
      throw new this.failure('the queue did not accept the message', { cause });
    }
    if (messageId === undefined) throw new this.failure('the queue returned no MessageId');
    return messageId;
  }
}
