/**
 * The queues' shape, shared by the CDK construct and the local stack, so that what runs on a
 * laptop behaves like what is deployed (FIFO, dedup per message group, redrive to a DLQ).
 * No aws-cdk-lib import here: the local stack loads this file too, and should start fast.
 */
export const QUEUE_SETTINGS = {
  /** SQS's maximum: consumers that fall behind have two weeks to catch up. */
  retentionDays: 14,
  /** A message that fails this many receives is poison: park it on the DLQ, keep the call moving. */
  maxReceiveCount: 5,
  /**
   * Consumers' time per message before it is visible again; a Lambda consumer's timeout is a
   * sixth of it, as AWS asks (lib/reference-consumer.ts says why, rather than this raised).
   */
  visibilityTimeoutSeconds: 60,
  /**
   * SQS's maximum, 1 MiB (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html):
   * a 64 KiB body of control characters escapes (`\u00XX`) to ~6 times its size in a message.
   */
  maxMessageSizeBytes: 1_048_576,
  defaultQueueName: 'zego-callbacks.fifo',
  defaultDeadLetterQueueName: 'zego-callbacks-dlq.fifo',
  defaultQuarantineQueueName: 'zego-callbacks-quarantine.fifo',
} as const;
