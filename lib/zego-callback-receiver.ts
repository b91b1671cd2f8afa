import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  DeduplicationScope,
  FifoThroughputLimit,
  type IQueue,
  Queue,
  QueueEncryption,
} from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEFAULT_FORWARD_EVENTS,
  DEFAULT_TOLERANCE_SECONDS,
  ENV,
  UNSET_SECRET_PLACEHOLDER,
} from '../lambda/adapters/config.js';
import { DEFAULT_METRICS_NAMESPACE } from '../lambda/adapters/log.js';
import type { CallEvent } from '../lambda/core/callback.js';
import { CALLBACK_ROUTE_PATH, QUEUE_SETTINGS } from './settings.js';

export interface ZegoCallbackReceiverProps {
  /** ZEGOCLOUD AppID; when set, callbacks for any other AppID are refused (403). */
  readonly appId?: string;
  /** Events to put on the queue; every other signed event is answered 200 and dropped. */
  readonly forwardEvents?: readonly CallEvent[];
  /** Forward events this version does not know, raw, as event 'unknown'. Default: answer 200, drop. */
  readonly forwardUnknownEvents?: boolean;
  /** Accepted clock difference for the callback timestamp; 0 switches the check off. */
  readonly signatureToleranceSeconds?: number;
  /**
   * The secret holding ZEGOCLOUD's CallbackSecret as a plain string. Default: a new secret,
   * holding a placeholder until you put the real value (callbacks get 503 until then).
   */
  readonly callbackSecret?: ISecret;
  /** Path of the callback route. */
  readonly routePath?: string;
  readonly logRetention?: RetentionDays;
  /** Stage throttling: ZEGOCLOUD sees 429 above it and retries (2/4/8/16/32 s). */
  readonly throttle?: ThrottleSettings;
  /** Memory of the function; CPU scales with it (see README, Performance). */
  readonly memorySize?: number;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** CloudWatch namespace of the callback metrics. Default: `ZegoCallbacks/<stack name>`. */
  readonly metricsNamespace?: string;
  /**
   * Refuse a captured (timestamp, nonce, signature) attached to another body, by recording
   * each accepted one in a DynamoDB table. Costs one conditional write per callback.
   */
  readonly replayGuard?: boolean;
}

/** Defaults in one place; README's configuration table states the same. */
export const RECEIVER_DEFAULTS = {
  forwardEvents: DEFAULT_FORWARD_EVENTS,
  signatureToleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  routePath: CALLBACK_ROUTE_PATH,
  logRetention: RetentionDays.ONE_MONTH,
  throttle: { rateLimit: 100, burstLimit: 200 },
  memorySize: 512,
  logLevel: 'INFO',
} as const;

/**
 * How the handler is bundled (local esbuild, never Docker). The SDK is bundled, minified and
 * tree-shaken rather than taken from the runtime: a smaller, pinned, faster-loading artifact.
 * node:http is taken through a CommonJS shim (see the file): a fifth off the bundle's load.
 * Exported so that the benchmark builds its floor exactly the same way.
 */
export const HANDLER_BUNDLING: BundlingOptions = {
  externalModules: [],
  minify: true,
  sourceMap: false,
  target: 'node24',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  forceDockerBundling: false,
  esbuildArgs: {
    '--alias': `node:http=${fileURLToPath(new URL('../lambda/builtins/node-http.cjs', import.meta.url))}`,
  },
};

/**
 * ZEGOCLOUD call-invitation callbacks in, verified messages out: an HTTP API route, one
 * function that verifies and enqueues, a high-throughput FIFO queue with a dead-letter queue,
 * and the CallbackSecret in Secrets Manager. Secure by default: encryption at rest,
 * SSL-only queues, a role that may only send to the queue, read the one secret and write its
 * own logs.
 */
export class ZegoCallbackReceiver extends Construct {
  readonly api: HttpApi;
  readonly handler: NodejsFunction;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly secret: ISecret;
  /** The URL to paste into the ZEGOCLOUD Admin Console. */
  readonly callbackUrl: string;
  readonly metricsNamespace: string;
  /** The replay guard's table, when `replayGuard` is on. */
  readonly replayTable?: Table;

  constructor(scope: Construct, id: string, props: ZegoCallbackReceiverProps = {}) {
    super(scope, id);
    const routePath = props.routePath ?? RECEIVER_DEFAULTS.routePath;
    const logRetention = props.logRetention ?? RECEIVER_DEFAULTS.logRetention;
    this.metricsNamespace =
      props.metricsNamespace ?? `${DEFAULT_METRICS_NAMESPACE}/${Stack.of(this).stackName}`;

    const retentionPeriod = Duration.days(QUEUE_SETTINGS.retentionDays);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod,
    });
    this.queue = new Queue(this, 'Queue', {
      fifo: true,
      // High-throughput FIFO: ordering and dedup per call, not across the whole queue.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      // The handler sets a deduplication ID that ignores ZEGOCLOUD's re-signing on retries.
      contentBasedDeduplication: false,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod,
      visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
      },
    });

    this.secret =
      props.callbackSecret ??
      new Secret(this, 'CallbackSecret', {
        description:
          'ZEGOCLOUD CallbackSecret (Admin Console > Project > Basic configurations), as a plain string',
        // Not a secret: a marker the handler recognises, so an unset secret answers 503
        // (retry, operator error) rather than 401 (looks like an attack).
        secretStringValue: SecretValue.unsafePlainText(UNSET_SECRET_PLACEHOLDER),
      });

    const logGroup = new LogGroup(this, 'HandlerLogs', { retention: logRetention });
    // Our own role: the managed AWSLambdaBasicExecutionRole would allow writing to every log group.
    const role = new Role(this, 'HandlerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'ZEGOCLOUD callback handler: write its logs, read one secret, send to one queue',
    });
    logGroup.grantWrite(role);

    this.handler = new NodejsFunction(this, 'Handler', {
      // The guard has its own entry, so that the default bundle carries no DynamoDB client.
      entry: fileURLToPath(
        new URL(
          props.replayGuard ? '../lambda/entry-replay-guard.ts' : '../lambda/entry.ts',
          import.meta.url,
        ),
      ),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? RECEIVER_DEFAULTS.memorySize,
      // The handler answers within 5 s whatever SQS does; this only bounds a bug.
      timeout: Duration.seconds(10),
      role,
      logGroup,
      environment: {
        [ENV.queueUrl]: this.queue.queueUrl,
        [ENV.callbackSecretArn]: this.secret.secretArn,
        [ENV.toleranceSeconds]: String(
          props.signatureToleranceSeconds ?? RECEIVER_DEFAULTS.signatureToleranceSeconds,
        ),
        [ENV.forwardEvents]: (props.forwardEvents ?? RECEIVER_DEFAULTS.forwardEvents).join(','),
        [ENV.forwardUnknownEvents]: String(props.forwardUnknownEvents ?? false),
        [ENV.logLevel]: props.logLevel ?? RECEIVER_DEFAULTS.logLevel,
        [ENV.metricsNamespace]: this.metricsNamespace,
        ...(props.appId ? { [ENV.appId]: props.appId } : {}),
      },
      bundling: HANDLER_BUNDLING,
    });
    this.queue.grantSendMessages(this.handler);
    this.secret.grantRead(this.handler);
    if (props.replayGuard) {
      this.replayTable = new Table(this, 'ReplayGuardTable', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: 'expiresAt',
        encryption: TableEncryption.AWS_MANAGED,
        // Records live minutes and are worth nothing after: nothing to keep on deletion.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.replayTable.grant(this.handler, 'dynamodb:PutItem');
      this.handler.addEnvironment(ENV.replayTableName, this.replayTable.tableName);
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.api = new HttpApi(this, 'Api', {
      description: 'Receives ZEGOCLOUD In-app Chat call-invitation callbacks',
      createDefaultStage: false,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? RECEIVER_DEFAULTS.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.api.addRoutes({
      path: routePath,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('CallbackIntegration', this.handler),
    });
    this.callbackUrl = `${this.api.apiEndpoint}${routePath}`;
  }
}
