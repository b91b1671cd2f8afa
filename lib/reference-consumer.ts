import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
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
 * lambda/consumer.ts on the callback queue, to copy and fill in: partial batch failures, so that
 * one poison message does not hold back the batch; idempotency records in a table of its own.
 */
export class ReferenceConsumer extends Construct {
  readonly handler: LambdaFunction;
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
      // The records keep a redelivered message from running twice: a restore must bring them back.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // They are worth nothing without the queue, which the stack deletes with itself.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.handler = createFunction(this, '', {
      entry: 'consumer',
      description:
        'Reference consumer: read and delete messages of one queue, keep its idempotency records, write its own logs',
      memorySize: 256,
      // A sixth of the visibility timeout, as AWS asks of an SQS event source: a throttled
      // batch is retried before it returns to the queue, spending one of its 5 receives.
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
    // No maxBatchingWindow: SQS FIFO event sources do not support one.
    this.handler.addEventSource(
      new SqsEventSource(props.queue, { batchSize, reportBatchItemFailures: true }),
    );
  }
}
