import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, SecretValue, Stack, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ILogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
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
  formatSetting,
  type LogLevel,
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  UNSET_SECRET_PLACEHOLDER,
} from '../config/settings.js';
import type { CallEvent } from '../lambda/core/callback.js';
import { isInZone, type PropValues, readProps } from './props.js';
import { QUEUE_SETTINGS } from './queue-settings.js';

/** A custom domain for the callback URL, so that it survives a replacement of the API. */
export interface CallbackDomainProps {
  /** Host name of the callback URL, such as `callbacks.example.com`. */
  readonly domainName: string;
  /** ACM certificate for `domainName`, in the stack's region (a regional endpoint). */
  readonly certificate: ICertificate;
  /**
   * Route 53 zone in which to create an alias A record for `domainName`.
   * @default - no record: point `domainName` at `receiver.customDomain.regionalDomainName` yourself
   */
  readonly hostedZone?: IHostedZone;
  /**
   * Keep the API's default `execute-api` endpoint open as well as the domain.
   * @default false - only the domain answers: the default URL is no way around a filter before it
   */
  readonly keepExecuteApiEndpoint?: boolean;
}

/**
 * Every plain prop is validated in the constructor against config/settings.ts, so that a bad
 * one fails `cdk synth` with a message naming it.
 */
export interface ZegoCallbackReceiverProps {
  /**
   * ZEGOCLOUD AppID (digits); when set, callbacks for any other AppID are refused (403).
   * @default - none: callbacks of any AppID are accepted
   */
  readonly appId?: string;
  /**
   * Events to put on the queue; every other signed event is answered 200 and dropped.
   * @default ['call_reject']
   */
  readonly forwardEvents?: readonly CallEvent[];
  /**
   * Forward events this version does not know, raw, as event 'unknown'.
   * @default false - answer them 200 and drop them
   */
  readonly forwardUnknownEvents?: boolean;
  /**
   * Accepted clock difference for the callback timestamp, in seconds; 0 switches the check off.
   * @default 300
   */
  readonly signatureToleranceSeconds?: number;
  /**
   * Hours after a new CallbackSecret is put during which the one it replaced (AWSPREVIOUS) is
   * still accepted; 0: never.
   * @default 24
   */
  readonly previousSecretHours?: number;
  /**
   * The secret holding ZEGOCLOUD's CallbackSecret as a plain string.
   * @default - a new secret, holding a placeholder until you put the real value (503 until then)
   */
  readonly callbackSecret?: ISecret;
  /**
   * Path of the callback route.
   * @default '/zego/callback'
   */
  readonly routePath?: string;
  /**
   * Retention of the log groups the construct creates.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * An existing log group for the function's logs; the function's role may write to it.
   * @default - a new log group, kept `logRetention`
   */
  readonly logGroup?: ILogGroup;
  /**
   * An existing log group for the API's access log.
   * @default - a new log group, kept `logRetention`
   */
  readonly accessLogGroup?: ILogGroup;
  /**
   * Stage throttling: ZEGOCLOUD sees 429 above it and retries (2/4/8/16/32 s).
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Memory of the function in MB; CPU scales with it.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Level of the function's log lines; metrics are written whatever the level.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * CloudWatch namespace of the callback metrics; no two receivers in a stack may share one.
   * @default `ZegoCallbacks/<stack name>/<receiver's path in the stack>`
   */
  readonly metricsNamespace?: string;
  /**
   * Refuse a captured signature attached to another body, by recording each accepted one
   * in a DynamoDB table. Costs one conditional write per callback.
   * @default false
   */
  readonly replayGuard?: boolean;
  /**
   * An existing FIFO queue to send the callback messages to (refused at synth if not FIFO).
   * Give it MaximumMessageSize 1 MiB (a message can be 6 times its callback's body), no
   * content-based deduplication (the function sets a deduplication ID), and its own DLQ.
   * @default - a new high-throughput FIFO queue, with a dead-letter queue
   */
  readonly queue?: IQueue;
  /**
   * A custom domain for the callback URL; `callbackUrl` then uses it.
   * @default - none: the API's execute-api endpoint
   */
  readonly customDomain?: CallbackDomainProps;
}

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
 * a quarantine queue for signed callbacks it cannot use, and the CallbackSecret in Secrets
 * Manager. Secure by default: encryption at rest, SSL-only queues, a role that may only send to
 * its queues, read the one secret and write its own logs. It acknowledges its own cdk-nag
 * findings, with their reasons: alone in an app with AwsSolutionsChecks, nothing stays open.
 */
export class ZegoCallbackReceiver extends Construct {
  readonly api: HttpApi;
  readonly handler: NodejsFunction;
  readonly queue: IQueue;
  /** The callback queue's DLQ; undefined when you brought your own queue. */
  readonly deadLetterQueue?: IQueue;
  /** Signed, fresh, right-AppID callbacks whose fields this version cannot use, kept raw. */
  readonly quarantineQueue: Queue;
  readonly secret: ISecret;
  /** The URL to paste into the ZEGOCLOUD Admin Console. */
  readonly callbackUrl: string;
  readonly metricsNamespace: string;
  /** The replay guard's table, when `replayGuard` is on. */
  readonly replayTable?: Table;
  /** The custom domain, when `customDomain` is set. */
  readonly customDomain?: DomainName;

  constructor(scope: Construct, id: string, props: ZegoCallbackReceiverProps = {}) {
    super(scope, id);
    // One namespace per receiver: two sharing one would count each other's callbacks in alarms.
    const stack = Stack.of(this);
    const path = this.node.path.slice(stack.node.path.length + 1).replace(/[^\w./-]/g, '-');
    const byDefault = `${SETTINGS.metricsNamespace.default}/${stack.stackName}/${path}`;
    const settings = readProps('ZegoCallbackReceiver', 'receiver', props, (values) => {
      const problems: string[] = [];
      if (props.queue && !Token.isUnresolved(props.queue.fifo) && !props.queue.fifo) {
        problems.push(
          'queue must be a FIFO queue (messages are ordered and deduplicated per call)',
        );
      }
      const zone = props.customDomain?.hostedZone?.zoneName;
      const domain = values.domainName;
      if (domain !== undefined && zone !== undefined && !Token.isUnresolved(zone)) {
        if (!isInZone(domain, zone)) {
          problems.push(`customDomain.domainName "${domain}" is not in the zone "${zone}"`);
        }
      }
      const ns = props.metricsNamespace === undefined ? byDefault : values.metricsNamespace;
      for (const twin of stack.node.findAll()) {
        if (twin instanceof ZegoCallbackReceiver && twin.metricsNamespace === ns) {
          problems.push(
            `metricsNamespace "${ns}" is also ${twin.node.path}'s: their alarms would count each other's callbacks`,
          );
        }
      }
      return problems;
    });
    this.metricsNamespace =
      props.metricsNamespace === undefined ? byDefault : settings.metricsNamespace;
    const logRetention = settings.logRetentionDays as RetentionDays;

    const fifo = {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(QUEUE_SETTINGS.retentionDays),
      maxMessageSizeBytes: QUEUE_SETTINGS.maxMessageSizeBytes,
    };
    // High-throughput FIFO: ordering and deduplication per message group, not per queue.
    const perGroup = {
      ...fifo,
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
    };
    if (props.queue) {
      this.queue = props.queue;
    } else {
      this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', fifo);
      this.queue = new Queue(this, 'Queue', {
        ...perGroup,
        // The handler sets a deduplication ID that ignores ZEGOCLOUD's re-signing on retries.
        contentBasedDeduplication: false,
        visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds),
        deadLetterQueue: {
          queue: this.deadLetterQueue,
          maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
        },
      });
    }
    // Grouped and deduplicated per quarantine id: a flooded capture leaves one message for SQS's
    // 5 minutes (its life at tolerance 300) with or without the guard, which a table check needs.
    this.quarantineQueue = new Queue(this, 'QuarantineQueue', perGroup);

    this.secret =
      props.callbackSecret ??
      new Secret(this, 'CallbackSecret', {
        description:
          'ZEGOCLOUD CallbackSecret (Admin Console > Project > Basic configurations), as a plain string',
        // Not a secret: a marker the handler recognises, so an unset secret answers 503
        // (retry, operator error) rather than 401 (looks like an attack).
        secretStringValue: SecretValue.unsafePlainText(UNSET_SECRET_PLACEHOLDER),
      });

    const logGroup =
      props.logGroup ?? new LogGroup(this, 'HandlerLogs', { retention: logRetention });
    // Our own role: the managed AWSLambdaBasicExecutionRole would allow writing to every log group.
    const role = new Role(this, 'HandlerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'ZEGOCLOUD callback handler: write its logs, read one secret, send to its queues',
    });
    logGroup.grantWrite(role);

    // The guard has its own entry, so that the default bundle carries no DynamoDB client.
    const entry = settings.replayGuard ? 'entry-replay-guard.ts' : 'entry.ts';
    this.handler = new NodejsFunction(this, 'Handler', {
      entry: fileURLToPath(new URL(`../lambda/${entry}`, import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: settings.memorySize,
      // The handler answers within 5 s whatever SQS does; this only bounds a bug.
      timeout: Duration.seconds(10),
      role,
      logGroup,
      environment: {
        ...functionEnvironment({ ...settings, metricsNamespace: this.metricsNamespace }),
        [SETTINGS.queueUrl.env]: this.queue.queueUrl,
        [SETTINGS.quarantineQueueUrl.env]: this.quarantineQueue.queueUrl,
        [SETTINGS.secretArn.env]: this.secret.secretArn,
      },
      bundling: HANDLER_BUNDLING,
    });
    this.queue.grantSendMessages(this.handler);
    this.quarantineQueue.grantSendMessages(this.handler);
    this.secret.grantRead(this.handler);
    if (settings.replayGuard) {
      this.replayTable = new Table(this, 'ReplayGuardTable', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: 'expiresAt',
        encryption: TableEncryption.AWS_MANAGED,
        // Records live minutes and are worth nothing after: nothing to keep on deletion.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.replayTable.grant(this.handler, 'dynamodb:PutItem');
      this.handler.addEnvironment(SETTINGS.replayTableName.env, this.replayTable.tableName);
    }

    const accessLogs =
      props.accessLogGroup ?? new LogGroup(this, 'AccessLogs', { retention: logRetention });
    const withDomain = props.customDomain !== undefined && settings.domainName !== undefined;
    this.api = new HttpApi(this, 'Api', {
      description: 'Receives ZEGOCLOUD In-app Chat call-invitation callbacks',
      createDefaultStage: false,
      disableExecuteApiEndpoint: withDomain && !settings.keepExecuteApiEndpoint,
    });
    if (props.customDomain && settings.domainName !== undefined) {
      this.customDomain = new DomainName(this, 'CallbackDomain', {
        domainName: settings.domainName,
        certificate: props.customDomain.certificate,
      });
      if (props.customDomain.hostedZone) {
        new ARecord(this, 'CallbackDomainRecord', {
          zone: props.customDomain.hostedZone,
          recordName: settings.domainName,
          target: RecordTarget.fromAlias(
            new ApiGatewayv2DomainProperties(
              this.customDomain.regionalDomainName,
              this.customDomain.regionalHostedZoneId,
            ),
          ),
        });
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
    this.callbackUrl = this.customDomain
      ? `https://${settings.domainName}${settings.routePath}`
      : `${this.api.apiEndpoint}${settings.routePath}`;
    this.acknowledgeFindings();
  }

  /** The cdk-nag findings this construct accepts by design, each with its reason. */
  private acknowledgeFindings(): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        "ZEGOCLOUD cannot sign requests with IAM or present a JWT; the handler verifies ZEGOCLOUD's own signature (sha1 over secret, timestamp and nonce) and refuses anything else with 401.",
    });
    Validations.of(this.quarantineQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'The quarantine queue is itself the parking place of callbacks this version cannot use, as a DLQ is for messages: an operator reads it after an upgrade and sends its callbacks through again. No consumer fails its messages repeatedly, so a DLQ behind it would never receive one.',
    });
    if (this.secret instanceof Secret) {
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'The CallbackSecret is issued by the ZEGOCLOUD Admin Console; AWS cannot rotate it. Rotate it there and put the new value here (README: Operations); the handler accepts AWSCURRENT and AWSPREVIOUS during the change.',
      });
    }
    if (this.replayTable) {
      Validations.of(this.replayTable).acknowledge({
        id: 'AwsSolutions::AwsSolutions-DDB3',
        reason:
          'The replay-guard table holds body digests that expire by TTL minutes after their callback (the time window plus 60 s). A point-in-time restore could only bring back records already past use, so PITR would cost money for no recovery. (With the time check off, which is not recommended, they never expire.)',
      });
    }
  }
}

/** The settings the function reads, as the construct writes them into its environment. */
function functionEnvironment(settings: PropValues<'receiver'>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const setting: Setting = SETTINGS[name];
    const value = (settings as Record<string, unknown>)[name];
    if (setting.scope !== 'receiver' || setting.env === undefined || value === undefined) continue;
    environment[setting.env] = formatSetting(value as Parameters<typeof formatSetting>[0]);
  }
  return environment;
}
