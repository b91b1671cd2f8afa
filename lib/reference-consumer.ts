import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_SETTINGS } from './queue-settings.js';
import { HANDLER_BUNDLING } from './zego-callback-receiver.js';

export interface ReferenceConsumerProps {
  /** The callback queue (its visibility timeout is QUEUE_SETTINGS'). */
  readonly queue: IQueue;
  readonly logRetention: RetentionDays;
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
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Reference consumer: read and delete messages of one queue, keep its idempotency records, write its own logs',
    });
    logGroup.grantWrite(role);

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

    this.handler = new NodejsFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../lambda/consumer.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      // A sixth of the queue's visibility timeout, as AWS asks of an SQS event source: Lambda
      // can then retry a batch while the function is throttled without the batch returning to
      // the queue, each return a receive of its five. Raising the visibility timeout instead
      // would hold a failed message's call back longer per retry. Each message costs two
      // DynamoDB writes besides your logic; if a batch needs longer, raise both together.
      timeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds / 6),
      role,
      logGroup,
      environment: {
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: HANDLER_BUNDLING,
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
