import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { QUEUES } from '../lambda/queues.js';
import { SETTINGS } from '../lambda/settings.js';
import { acknowledge, createFunction } from './function.js';

export interface ReferenceConsumerProps {
  /** The callback queue (its visibility timeout is 60 s, as the receiver makes it). */
  readonly queue: IQueue;
  /** Retention of the function's log group, in days. @default 30 */
  readonly logRetentionDays?: RetentionDays;
  /** Messages per invocation (SQS FIFO allows at most 10). @default 10 */
  readonly batchSize?: number;
  /** X-Ray tracing of the function; with the receiver's, X-Ray links the traces. @default false */
  readonly tracing?: boolean;
  /** A customer-managed KMS key for its table and log group. @default - AWS-managed encryption */
  readonly encryptionKey?: IKey;
}

/** lambda/consumer.ts on the callback queue, to copy and fill in: partial batch failures, so that
 * one poison message does not hold back the batch; idempotency records in a table of its own. */
export class ReferenceConsumer extends Construct {
  readonly handler: LambdaFunction;
  /** Powertools Idempotency's records: one per message `id`, expired by TTL. */
  readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: ReferenceConsumerProps) {
    super(scope, id);
    const { batchSize = 10, encryptionKey: key } = props;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`batchSize must be an integer from 1 to 10 (SQS FIFO), got ${batchSize}`);
    }
    // The key and TTL attributes are Powertools' DynamoDBPersistenceLayer defaults.
    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      encryption: key ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED,
      encryptionKey: key,
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
      tracing: props.tracing ?? false,
      encryptionKey: key,
    });
    // What Powertools' DynamoDB persistence layer calls, on this table only.
    const calls = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'];
    this.idempotencyTable.grant(this.handler, ...calls.map((call) => `dynamodb:${call}`));
    key?.grantEncryptDecrypt(this.handler);
    // No maxBatchingWindow: SQS FIFO event sources do not support one.
    this.handler.addEventSource(
      new SqsEventSource(props.queue, { batchSize, reportBatchItemFailures: true }),
    );
    acknowledge(this.handler, {
      'Serverless-LambdaEventSourceMappingDestination':
        "Lambda takes on-failure destinations for stream and Kafka sources only: a message this consumer fails 5 times goes to the queue's own dead-letter queue.",
    });
    acknowledge(this.idempotencyTable, {
      'NIST.800.53.R5-DynamoDBInBackupPlan HIPAA.Security-DynamoDBInBackupPlan':
        'Point-in-time recovery keeps 35 days of its records, which expire after 14: a backup plan would keep a second copy of the same.',
    });
  }
}
