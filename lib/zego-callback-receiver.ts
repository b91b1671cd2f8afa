import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  DeduplicationScope,
  FifoThroughputLimit,
  type IQueue,
  Queue,
  QueueEncryption,
  type QueueProps,
} from 'aws-cdk-lib/aws-sqs';
import { Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import type { CallEvent } from '../lambda/core/callback.js';
import { METRICS_NAMESPACE } from '../lambda/metrics.js';
import { QUEUES } from '../lambda/queues.js';
import {
  envName,
  type LogLevel,
  namesWhere,
  UNSET_SECRET_PLACEHOLDER,
} from '../lambda/settings.js';
import { AWS_MANAGED_KEY, acknowledge, createFunction, createLogGroup } from './function.js';
import { InvalidPropsError, type OtherProps, readProps } from './props.js';

/** Checked at synth by lambda/settings.ts; each plain prop is also a context key, same name. */
export interface ZegoCallbackReceiverProps {
  /** Your ZEGOCLOUD AppID: callbacks for another are refused (403). @default - any AppID */
  readonly zegoAppId?: string;
  /** Events to queue (context: a comma list); others, signed, get 200. @default ['call_reject'] */
  readonly forwardEvents?: readonly CallEvent[];
  /** Also forward, raw as event `unknown`, the events this version does not know. @default false */
  readonly forwardUnknownEvents?: boolean;
  /** Accepted difference between a callback's timestamp and now, in seconds, either way; 0
   * switches the check off (not recommended: the signature does not cover the body). @default 300 */
  readonly signatureToleranceSeconds?: number;
  /** Hours the replaced CallbackSecret (AWSPREVIOUS) still passes; 0: never. @default 24 */
  readonly previousSecretHours?: number;
  /** Level of the function's log lines; metrics are written whatever the level. @default 'INFO' */
  readonly logLevel?: LogLevel;
  /** CloudWatch namespace of the callback metrics; no two receivers in a stack may share one.
   * @default - `ZegoCallbacks/<stack name>/<receiver's path in the stack>` (the function alone: `ZegoCallbacks`) */
  readonly metricsNamespace?: string;
  /** Refuse a captured signature on a new body: a DynamoDB table, one write each. @default false */
  readonly replayGuard?: boolean;
  /** Active X-Ray tracing of the function and its AWS calls, billed per trace. @default false */
  readonly tracing?: boolean;
  /** Retention of the function's and the API's log groups, in days (9999: forever). @default 30 */
  readonly logRetentionDays?: RetentionDays;
  /** API stage throttling, requests per second; above it, a 429 ZEGOCLOUD retries. @default 100 */
  readonly throttleRateLimit?: number;
  /** API stage throttling, burst (requests). @default 200 */
  readonly throttleBurstLimit?: number;
  /** Memory of the callback function in MB; CPU scales with it. @default 512 */
  readonly memorySize?: number;
  /** Callback route's path, on API Gateway and the local server alike. @default '/zego/callback' */
  readonly routePath?: string;
  /** Custom domain of the callback URL, so that the URL in the ZEGOCLOUD console survives a
   * replacement of the API. Needs `certificate` (in CDK context, `certificateArn`).
   * @default - none: the API's execute-api endpoint */
  readonly domainName?: string;
  /** ACM certificate for `domainName`, in the stack's region (a regional endpoint). */
  readonly certificate?: ICertificate;
  /** Route 53 zone in which to create an alias A record for `domainName`.
   * @default - none: point `domainName` at `receiver.customDomain.regionalDomainName` yourself */
  readonly hostedZone?: IHostedZone;
  /** With `domainName`, keep the `execute-api` URL too (off: only the domain). @default false */
  readonly keepExecuteApiEndpoint?: boolean;
  /** The secret holding ZEGOCLOUD's CallbackSecret as a plain string.
   * @default - a new secret, holding a placeholder until you put the real value (503 until then) */
  readonly callbackSecret?: ISecret;
  /** An existing log group for the function's logs. @default - new, kept `logRetentionDays` */
  readonly logGroup?: ILogGroup;
  /** An existing log group for the API's access log. @default - new, kept `logRetentionDays` */
  readonly accessLogGroup?: ILogGroup;
  /** An existing FIFO queue for the messages (refused at synth if not FIFO): give it 1 MiB
   * messages, no content-based deduplication (the function sets the ID) and its own DLQ.
   * @default - a new high-throughput FIFO queue, with a dead-letter queue */
  readonly queue?: IQueue;
  /** A customer-managed KMS key for the queues, secret, log groups, table and alarm topic it
   * creates; a key of this app gets what CloudWatch Logs and alarms need in its key policy.
   * @default - AWS-managed keys */
  readonly encryptionKey?: IKey;
}

const RECEIVER_CONSTRUCT_PROPS: OtherProps<ZegoCallbackReceiverProps, 'receiver'> = {
  certificate: true,
  hostedZone: true,
  callbackSecret: true,
  logGroup: true,
  accessLogGroup: true,
  encryptionKey: true,
  queue: true,
};

/** ZEGOCLOUD callbacks in, verified messages out: an HTTP API, a function that verifies and
 * enqueues, a FIFO queue with its DLQ, a quarantine queue, the CallbackSecret. Encrypted, SSL-only,
 * least privilege; it acknowledges its own cdk-nag findings, each with its reason. */
export class ZegoCallbackReceiver extends Construct {
  readonly api: HttpApi;
  /** The function that verifies, parses and enqueues each callback. */
  readonly handler: LambdaFunction;
  /** The FIFO queue your consumers read: the new one, or the `queue` prop. */
  readonly queue: IQueue;
  /** The callback queue's DLQ; undefined when you brought your own queue. */
  readonly deadLetterQueue?: IQueue;
  /** Signed, fresh, right-AppID callbacks whose fields this version cannot use, kept raw. */
  readonly quarantineQueue: Queue;
  readonly secret: ISecret;
  /** The URL to paste into the ZEGOCLOUD Admin Console. */
  readonly callbackUrl: string;
  /** Where the function writes its metrics; the monitoring's alarms read them there. */
  readonly metricsNamespace: string;
  /** The replay guard's table, when `replayGuard` is on. */
  readonly replayTable?: Table;
  /** The custom domain, when `domainName` is set. */
  readonly customDomain?: DomainName;
  /** The `encryptionKey` prop, if given. */
  readonly encryptionKey?: IKey;

  constructor(scope: Construct, id: string, props: ZegoCallbackReceiverProps = {}) {
    super(scope, id);
    const { values: settings, problems } = readProps('receiver', props, RECEIVER_CONSTRUCT_PROPS);
    const stack = Stack.of(this);
    const path = this.node.path.slice(stack.node.path.length + 1).replace(/[^\w./-]/g, '-');
    this.metricsNamespace =
      settings.metricsNamespace ?? `${METRICS_NAMESPACE}/${stack.stackName}/${path}`;
    const { domainName } = settings;
    problems.push(...this.crossProblems(props, domainName, settings.keepExecuteApiEndpoint));
    if (problems.length > 0) throw new InvalidPropsError('ZegoCallbackReceiver', problems);
    const key = props.encryptionKey;
    this.encryptionKey = key;

    // Encrypted (SQS-managed or the key), TLS only, SQS's longest retention and largest message.
    const fifoQueue = (queueId: string, more: QueueProps = {}) =>
      new Queue(this, queueId, {
        fifo: true,
        encryption: key ? QueueEncryption.KMS : QueueEncryption.SQS_MANAGED,
        encryptionMasterKey: key,
        enforceSSL: true,
        retentionPeriod: Duration.days(QUEUES.retentionDays),
        maxMessageSizeBytes: QUEUES.maxMessageSizeBytes,
        ...more,
      });
    // High-throughput FIFO: ordering and deduplication per message group, not per queue.
    const perGroup = {
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
    };
    if (props.queue) {
      this.queue = props.queue;
    } else {
      this.deadLetterQueue = fifoQueue('DeadLetterQueue');
      this.queue = fifoQueue('Queue', {
        ...perGroup,
        // The handler sets a deduplication ID that ignores ZEGOCLOUD's re-signing on retries.
        contentBasedDeduplication: false,
        visibilityTimeout: Duration.seconds(QUEUES.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUES.maxReceiveCount },
      });
    }
    // Per quarantine id: a flooded capture leaves one message per 5 minutes, guard or not.
    this.quarantineQueue = fifoQueue('QuarantineQueue', perGroup);

    this.secret =
      props.callbackSecret ??
      new Secret(this, 'CallbackSecret', {
        description:
          'ZEGOCLOUD CallbackSecret (Admin Console > Project > Basic configurations), as a plain string',
        // A marker the handler knows: an unset secret answers 503 (operator error), not 401.
        secretStringValue: SecretValue.unsafePlainText(UNSET_SECRET_PLACEHOLDER),
        encryptionKey: key,
      });

    // What the function reads, from the props by name (lambda/settings.ts), and its wiring.
    const environment: Record<string, string> = {};
    for (const name of namesWhere({ prop: 'receiver', env: true })) {
      const value = name === 'metricsNamespace' ? this.metricsNamespace : settings[name];
      if (value !== undefined) {
        environment[envName(name)] = Array.isArray(value) ? value.join(',') : String(value);
      }
    }
    const { tracing } = settings;
    this.handler = createFunction(this, 'Handler', {
      // The guard and tracing have their own entries: the default bundle carries neither.
      entry: tracing ? 'entry-traced' : settings.replayGuard ? 'entry-replay-guard' : 'entry',
      description:
        'ZEGOCLOUD callback handler: write its logs, read one secret, send to its queues',
      memorySize: settings.memorySize,
      // The handler answers within 5 s whatever SQS does; this only bounds a bug.
      timeout: Duration.seconds(10),
      environment: {
        ...environment,
        QUEUE_URL: this.queue.queueUrl,
        QUARANTINE_QUEUE_URL: this.quarantineQueue.queueUrl,
        CALLBACK_SECRET_ID: this.secret.secretArn,
      },
      logRetentionDays: settings.logRetentionDays,
      logGroup: props.logGroup,
      tracing,
      encryptionKey: key,
    });
    this.queue.grantSendMessages(this.handler);
    this.quarantineQueue.grantSendMessages(this.handler);
    this.secret.grantRead(this.handler);
    if (settings.replayGuard) {
      this.replayTable = new Table(this, 'ReplayGuardTable', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: 'expiresAt',
        encryption: key ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED,
        encryptionKey: key,
        // Records live minutes and are worth nothing after: nothing to keep on deletion.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.replayTable.grant(this.handler, 'dynamodb:PutItem');
      key?.grantEncryptDecrypt(this.handler);
      this.handler.addEnvironment('REPLAY_TABLE_NAME', this.replayTable.tableName);
    }

    const accessLogs =
      props.accessLogGroup ?? createLogGroup(this, 'AccessLogs', settings.logRetentionDays, key);
    this.api = new HttpApi(this, 'Api', {
      description: 'Receives ZEGOCLOUD In-app Chat call-invitation callbacks',
      createDefaultStage: false,
      disableExecuteApiEndpoint: domainName !== undefined && !settings.keepExecuteApiEndpoint,
    });
    if (domainName !== undefined && props.certificate) {
      const { certificate, hostedZone: zone } = props;
      const custom = new DomainName(this, 'CallbackDomain', { domainName, certificate });
      this.customDomain = custom;
      if (zone) {
        const { regionalDomainName, regionalHostedZoneId } = custom;
        const alias = new ApiGatewayv2DomainProperties(regionalDomainName, regionalHostedZoneId);
        const target = RecordTarget.fromAlias(alias);
        new ARecord(this, 'CallbackDomainRecord', { zone, recordName: domainName, target });
      }
    }
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.throttleRateLimit, burstLimit: settings.throttleBurstLimit },
      ...(this.customDomain ? { domainMapping: { domainName: this.customDomain } } : {}),
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
      path: settings.routePath,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('CallbackIntegration', this.handler),
    });
    const origin = this.customDomain ? `https://${domainName}` : this.api.apiEndpoint;
    this.callbackUrl = `${origin}${settings.routePath}`;
    this.acknowledgeFindings(props);
  }

  /** What no single prop says wrong: the queue's kind, the domain's parts, a shared namespace. */
  private crossProblems(
    { queue, certificate, hostedZone }: ZegoCallbackReceiverProps,
    domainName: string | undefined,
    keepExecuteApiEndpoint: boolean,
  ): string[] {
    const problems: string[] = [];
    if (queue && !Token.isUnresolved(queue.fifo) && !queue.fifo) {
      problems.push('queue must be a FIFO queue (messages are ordered and deduplicated per call)');
    }
    if ((domainName === undefined) !== (certificate === undefined)) {
      problems.push('domainName and certificate (context: certificateArn) must be set together');
    }
    if (domainName === undefined) {
      if (hostedZone) problems.push('hostedZone needs domainName');
      if (keepExecuteApiEndpoint) problems.push('keepExecuteApiEndpoint needs domainName');
    }
    const zone = hostedZone?.zoneName;
    if (domainName !== undefined && zone !== undefined && !Token.isUnresolved(domainName + zone)) {
      const inZone = zone.replace(/\.$/, '').toLowerCase();
      if (domainName !== inZone && !domainName.endsWith(`.${inZone}`)) {
        problems.push(`domainName "${domainName}" is not in the zone "${zone}"`);
      }
    }
    for (const twin of Stack.of(this).node.findAll()) {
      const same =
        twin instanceof ZegoCallbackReceiver && twin.metricsNamespace === this.metricsNamespace;
      if (twin !== this && same) {
        problems.push(
          `metricsNamespace "${this.metricsNamespace}" is also ${twin.node.path}'s: their alarms would count each other's callbacks`,
        );
      }
    }
    return problems;
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeFindings({ callbackSecret, encryptionKey }: ZegoCallbackReceiverProps) {
    acknowledge(this.api, {
      'AwsSolutions-APIG4':
        "ZEGOCLOUD cannot sign requests with IAM or present a JWT; the handler verifies ZEGOCLOUD's own signature (sha1 over secret, timestamp and nonce) and refuses anything else with 401.",
    });
    acknowledge(this.quarantineQueue, {
      'AwsSolutions-SQS3 Serverless-SQSRedrivePolicy':
        'The quarantine queue is itself where callbacks this version cannot use are parked, for an operator and `npm run requeue`, whose every run receives the callbacks it keeps: a redrive policy would move them, after so many runs, to a queue nobody reads.',
    });
    acknowledge(this.deadLetterQueue, {
      'Serverless-SQSRedrivePolicy':
        "It is the callback queue's dead-letter queue, redriven by an operator; a DLQ behind it would only move the same messages once more.",
    });
    acknowledge(callbackSecret ? undefined : this.secret, {
      'AwsSolutions-SMG4 NIST.800.53.R5-SecretsManagerRotationEnabled HIPAA.Security-SecretsManagerRotationEnabled':
        'The CallbackSecret is issued by the ZEGOCLOUD Admin Console; AWS cannot rotate it. Rotate it there and put the new value here (docs/operations.md); the handler accepts AWSCURRENT and AWSPREVIOUS during the change.',
      'NIST.800.53.R5-SecretsManagerUsingKMSKey HIPAA.Security-SecretsManagerUsingKMSKey PCI.DSS.321-SecretsManagerUsingKMSKey':
        !encryptionKey && AWS_MANAGED_KEY,
    });
    acknowledge(this.replayTable, {
      'AwsSolutions-DDB3 NIST.800.53.R5-DynamoDBPITREnabled HIPAA.Security-DynamoDBPITREnabled NIST.800.53.R5-DynamoDBInBackupPlan HIPAA.Security-DynamoDBInBackupPlan':
        'The replay-guard table holds body digests that expire by TTL minutes after their callback (the time window plus 60 s): a restore could only bring back records already past use. (With the time check off, not recommended, they never expire.)',
    });
  }
}
