/** The queues' shape, for the construct and the local stack alike (lambda/: both may import it). */
export const QUEUES = {
  /** SQS's maximum: consumers that fall behind have two weeks to catch up. */
  retentionDays: 14,
  /** A message that fails this many receives is poison: park it on the DLQ, keep the call moving. */
  maxReceiveCount: 5,
  /** Consumers' time per message; a Lambda consumer's timeout is a sixth of it. */
  visibilityTimeoutSeconds: 60,
  /** SQS's maximum, 1 MiB (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html):
   * a 64 KiB body of control characters escapes (`\u00XX`) to ~6 times its size in a message. */
  maxMessageSizeBytes: 1_048_576,
  /** The local stack's account and queue names (local/sqs.ts). */
  local: {
    account: '000000000000',
    queue: 'zego-callbacks.fifo',
    deadLetterQueue: 'zego-callbacks-dlq.fifo',
    quarantineQueue: 'zego-callbacks-quarantine.fifo',
  },
} as const;
