import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES } from '../lambda/queues.js';
import { SETTINGS } from '../lambda/settings.js';
import { createFunction } from './function.js';

export interface ReferenceConsumerProps {
  /** The callback queue (its visibility timeout is 60 s, as the receiver makes it). */
  readonly queue: IQueue;
  /**
   * Retention of the function's log group, in days.
   * @default 30
   */
  readonly logRetentionDays?: RetentionDays;
  /**
   * Messages per invocation (SQS FIFO allows at most 10).
   * @default 10
   */
  readonly batchSize?: number;
}

/**
 * A Lambda consuming the callback queue: lambda/consumer.ts, to copy and fill in, on
 * Powertools Batch, Logger and Idempotency. It reports partial batch failures, so one poison
 * message does not hold back the rest of the batch, and after 5 receives SQS moves it to the
 * dead-letter queue. Its idempotency records live in a DynamoDB table of its own.
 */
export class ReferenceConsumer extends Construct {
  readonly handler: NodejsFunction;
  /** Powertools Idempotency's records: one per message `id`, expired by TTL. */
  readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: ReferenceConsumerProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`batchSize must be an integer from 1 to 10 (SQS FIFO), got ${batchSize}`);
    }
    // The key and TTL attributes are Powertools' DynamoDBPersistenceLayer defaults.
    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      encryption: TableEncryption.AWS_MANAGED,
      // The records are what keeps a redelivered message from running twice: a restore after
      // a mistake must bring them back. A few hundred bytes per message cost next to nothing.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // They are worth nothing without the queue, which the stack deletes with itself.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.handler = createFunction(this, '', {
      entry: 'consumer.ts',
      description:
        'Reference consumer: read and delete messages of one queue, keep its idempotency records, write its own logs',
      memorySize: 256,
      // A sixth of the queue's visibility timeout, as AWS asks of an SQS event source: Lambda
      // can then retry a batch while the function is throttled without the batch returning to
      // the queue, each return a receive of its five. Raising the visibility timeout instead
      // would hold a failed message's call back longer per retry. Each message costs two
      // DynamoDB writes besides your logic; if a batch needs longer, raise both together.
      timeout: Duration.seconds(QUEUES.visibilityTimeoutSeconds / 6),
      environment: {
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      logRetentionDays: props.logRetentionDays ?? SETTINGS.logRetentionDays.default,
    });
    // What Powertools' DynamoDB persistence layer calls, on this table only.
    this.idempotencyTable.grant(
      this.handler,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    this.handler.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize,
        reportBatchItemFailures: true,
        // No maxBatchingWindow: SQS FIFO event sources do not support one.
      }),
    );
  }
}
