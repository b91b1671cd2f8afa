import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import { QUEUES } from '../lambda/queues.js';
import {
  receiveAsSqsDoes,
  refuseWhatSqsRefuses,
  SQS_DEFAULT_MAX_MESSAGE_BYTES,
} from './sqs-limits.js';

export interface LocalSqs {
  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_SQS). */
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly quarantineQueueUrl: string;
  close(): Promise<void>;
}

const REGION = 'us-east-1';

/**
 * An in-process SQS-compatible server holding the same queues as the deployed stack: the
 * high-throughput FIFO queue (dedup per group, 14 days, redrive after 5 receives), its
 * dead-letter queue and the FIFO quarantine queue. It refuses the message bodies and sizes
 * real SQS refuses, keeps SQS's deduplication window and answers receives when SQS would
 * (local/sqs-limits.ts), where the embedded server alone would differ.
 */
export async function startLocalSqs(
  options: {
    port?: number;
    visibilityTimeoutSeconds?: number;
    maxMessageSizeBytes?: number;
    /** The clock of SQS's 5-minute deduplication window (local/sqs-limits.ts). */
    now?: () => number;
  } = {},
): Promise<LocalSqs> {
  const dlqArn = `arn:aws:sqs:${REGION}:${QUEUES.local.account}:${QUEUES.local.deadLetterQueue}`;
  const maxMessageSizeBytes = options.maxMessageSizeBytes ?? QUEUES.maxMessageSizeBytes;
  const common = {
    MessageRetentionPeriod: QUEUES.retentionDays * 86_400,
    MaximumMessageSize: maxMessageSizeBytes,
  };
  const fifo = {
    ...common,
    FifoQueue: true,
    DeduplicationScope: 'messageGroup',
    FifoThroughputLimit: 'perMessageGroupId',
  } as const;
  const { requestHandler, service } = createRequestHandler({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    region: REGION,
    accountId: QUEUES.local.account,
    queues: [
      { QueueName: QUEUES.local.deadLetterQueue, Attributes: fifo },
      {
        QueueName: QUEUES.local.queue,
        Attributes: {
          ...fifo,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? QUEUES.visibilityTimeoutSeconds,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: QUEUES.maxReceiveCount,
          }),
        },
      },
      { QueueName: QUEUES.local.quarantineQueue, Attributes: fifo },
    ],
  });
  for (const queue of service.Queues) receiveAsSqsDoes(queue);
  const ours = new Set<string>([
    QUEUES.local.queue,
    QUEUES.local.deadLetterQueue,
    QUEUES.local.quarantineQueue,
  ]);
  const server: Server = createServer(
    refuseWhatSqsRefuses(
      requestHandler,
      (queueUrl) =>
        ours.has(queueUrl.split('/').pop() ?? '')
          ? maxMessageSizeBytes
          : SQS_DEFAULT_MAX_MESSAGE_BYTES,
      options.now,
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const url = (name: string) => `${endpoint}/${QUEUES.local.account}/${name}`;
  return {
    endpoint,
    queueUrl: url(QUEUES.local.queue),
    deadLetterQueueUrl: url(QUEUES.local.deadLetterQueue),
    quarantineQueueUrl: url(QUEUES.local.quarantineQueue),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
