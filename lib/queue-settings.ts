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
   * Consumers get this long to process a message before it becomes visible again. For a Lambda
   * consumer AWS asks for at least six times the function's timeout, so that Lambda can retry
   * a batch while the function is throttled; when the visibility timeout runs out first, every
   * return of the batch costs a receive of its five, and it reaches the DLQ early. So the
   * reference consumer's timeout is a sixth of this (lib/reference-consumer.ts), rather than
   * this raised: a failed message holds its call back for one visibility timeout per retry.
   */
  visibilityTimeoutSeconds: 60,
  /**
   * SQS's maximum message size, 1 MiB (Amazon SQS message quotas:
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
   * An accepted body is at most 64 KiB, but each control character in it escapes to `\u00XX`
   * in the message, so a message can be about 6 times its body: 256 KiB would refuse it.
   */
  maxMessageSizeBytes: 1_048_576,
  defaultQueueName: 'zego-callbacks.fifo',
  defaultDeadLetterQueueName: 'zego-callbacks-dlq.fifo',
  defaultQuarantineQueueName: 'zego-callbacks-quarantine.fifo',
} as const;
