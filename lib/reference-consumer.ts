import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER_BUNDLING } from './zego-callback-receiver.js';

export interface ReferenceConsumerProps {
  readonly queue: IQueue;
  readonly logRetention: RetentionDays;
  /** Messages per invocation (SQS FIFO allows at most 10). */
  readonly batchSize?: number;
}

/**
 * A Lambda consuming the callback queue: lambda/consumer.ts, to copy and fill in. It reports
 * partial batch failures, so one poison message does not hold back the rest of the batch, and
 * after 5 receives SQS moves it to the dead-letter queue.
 */
export class ReferenceConsumer extends Construct {
  readonly handler: NodejsFunction;

  constructor(scope: Construct, id: string, props: ReferenceConsumerProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reference consumer: read and delete messages of one queue, write its own logs',
    });
    logGroup.grantWrite(role);
    this.handler = new NodejsFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../lambda/consumer.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      // Under the queue's 60 s visibility timeout, as SQS event sources require.
      timeout: Duration.seconds(30),
      role,
      logGroup,
      bundling: HANDLER_BUNDLING,
    });
    this.handler.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
        // No maxBatchingWindow: SQS FIFO event sources do not support one.
      }),
    );
  }
}
