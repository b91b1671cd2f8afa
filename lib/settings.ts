/**
 * Settings shared by the CDK construct and the local stack, so that what runs on a laptop
 * behaves like what is deployed (route, FIFO, dedup per message group, redrive to a DLQ).
 * No aws-cdk-lib import here: the local stack loads this file too, and should start fast.
 */

/** Path of the callback route, on API Gateway and on the local server alike. */
export const CALLBACK_ROUTE_PATH = '/zego/callback';

export const QUEUE_SETTINGS = {
  /** SQS's maximum: consumers that fall behind have two weeks to catch up. */
  retentionDays: 14,
  /** A message that fails this many receives is poison: park it on the DLQ, keep the call moving. */
  maxReceiveCount: 5,
  /** Consumers get this long to process a message before it becomes visible again. */
  visibilityTimeoutSeconds: 60,
  /**
   * SQS's maximum (1 MiB; a queue left at its default takes 256 KiB). A 64 KiB body of control
   * characters escapes to ~6 times its size in JSON (`\u0001`): every message an accepted body
   * can produce must fit, or a signed callback would be answered 503 on every retry.
   */
  maxMessageSizeBytes: 1_048_576,
  defaultQueueName: 'zego-callbacks.fifo',
  defaultDeadLetterQueueName: 'zego-callbacks-dlq.fifo',
  defaultQuarantineQueueName: 'zego-callbacks-quarantine',
} as const;
