import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type CallbackError, EnqueueError, QuarantineError } from '../core/errors.js';
import type { OutgoingMessage } from '../core/message.js';
import { withDeadline } from './deadline.js';

export interface QueueSender {
  /** Resolves with SQS's MessageId only once SQS has stored the message, within `withinMs`. */
  send(message: OutgoingMessage, withinMs?: number): Promise<string>;
}

/** Where signed callbacks that this version cannot use are kept (core/quarantine.ts). */
export interface QuarantineSender {
  /** Resolves with SQS's MessageId only once SQS has stored the message, within `withinMs`. */
  send(message: { readonly body: string; readonly id: string }, withinMs?: number): Promise<string>;
}

/** Leaves room under ZEGOCLOUD's patience and API Gateway's timeout for a 503 to get out. */
export const ENQUEUE_DEADLINE_MS = 3_000;

export class SqsQueueSender implements QueueSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadlineMs: number = ENQUEUE_DEADLINE_MS,
  ) {}

  send(message: OutgoingMessage, withinMs = this.deadlineMs): Promise<string> {
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
    return stored(this.client, command, Math.min(this.deadlineMs, withinMs), EnqueueError);
  }
}

/** A FIFO queue: each quarantined callback its own group, deduplicated on its id. */
export class SqsQuarantineSender implements QuarantineSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadlineMs: number = ENQUEUE_DEADLINE_MS,
  ) {}

  send(
    { body, id }: { readonly body: string; readonly id: string },
    withinMs = this.deadlineMs,
  ): Promise<string> {
    const command = new SendMessageCommand({
      QueueUrl: this.queueUrl,
      MessageBody: body,
      MessageGroupId: id,
      MessageDeduplicationId: id,
    });
    return stored(this.client, command, Math.min(this.deadlineMs, withinMs), QuarantineError);
  }
}

async function stored(
  client: SQSClient,
  command: SendMessageCommand,
  deadlineMs: number,
  Failure: new (message: string, options?: { cause?: unknown }) => CallbackError,
): Promise<string> {
  let messageId: string | undefined;
  try {
    // No options on send: they would defeat the client's middleware cache (see sdk-client-settings.ts).
    const output = await withDeadline(deadlineMs, client.send(command));
    messageId = output.MessageId;
  } catch (cause) {
    throw new Failure('the queue did not accept the message', { cause });
  }
  if (messageId === undefined) throw new Failure('the queue returned no MessageId');
  return messageId;
}
