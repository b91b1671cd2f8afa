import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSqsServer } from 'local-aws-sqs';
import { QUEUE_SETTINGS } from '../lib/settings.js';

export interface LocalSqs {
  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_SQS). */
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/**
 * An in-process SQS-compatible server holding the same FIFO queue and dead-letter queue as the
 * deployed stack: high-throughput FIFO (dedup per group), 14 days, redrive after 5 receives.
 */
export async function startLocalSqs(
  options: { port?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<LocalSqs> {
  const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${QUEUE_SETTINGS.defaultDeadLetterQueueName}`;
  const fifo = {
    FifoQueue: true,
    DeduplicationScope: 'messageGroup',
    FifoThroughputLimit: 'perMessageGroupId',
    MessageRetentionPeriod: QUEUE_SETTINGS.retentionDays * 86_400,
  } as const;
  const server: Server = await createSqsServer({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    region: REGION,
    accountId: ACCOUNT,
    queues: [
      { QueueName: QUEUE_SETTINGS.defaultDeadLetterQueueName, Attributes: fifo },
      {
        QueueName: QUEUE_SETTINGS.defaultQueueName,
        Attributes: {
          ...fifo,
          VisibilityTimeout:
            options.visibilityTimeoutSeconds ?? QUEUE_SETTINGS.visibilityTimeoutSeconds,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
          }),
        },
      },
    ],
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: `${endpoint}/${ACCOUNT}/${QUEUE_SETTINGS.defaultQueueName}`,
    deadLetterQueueUrl: `${endpoint}/${ACCOUNT}/${QUEUE_SETTINGS.defaultDeadLetterQueueName}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
