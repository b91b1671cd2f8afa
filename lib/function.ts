import { fileURLToPath } from 'node:url';
import { Aws, type Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ILogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';

/** Local esbuild, never Docker; the SDK bundled rather than the runtime's: smaller, pinned, faster. */
const BUNDLING: BundlingOptions = {
  externalModules: [],
  minify: true,
  sourceMap: false,
  target: 'node24',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  forceDockerBundling: false,
};

/** The receiver's: node:http through a CommonJS shim (see the file), measured a fifth off its load. */
export const RECEIVER_BUNDLING: BundlingOptions = {
  ...BUNDLING,
  esbuildArgs: {
    '--alias': `node:http=${fileURLToPath(new URL('../lambda/builtins/node-http.cjs', import.meta.url))}`,
  },
};

/** lambda/entry-traced.ts's: the X-Ray SDK is CommonJS and calls `require`, which ESM lacks. */
export const TRACED_BUNDLING: BundlingOptions = {
  ...RECEIVER_BUNDLING,
  banner:
    "import{createRequire as zcqRequire}from'node:module';const require=zcqRequire(import.meta.url);",
};

type Reasons = Record<string, string | false | undefined>;
/** cdk-nag findings `scope` accepts by design: full rule ids, space-separated, to the reason. */
export function acknowledge(scope: IConstruct | undefined, reasons: Reasons) {
  for (const [rules, reason] of Object.entries(reasons)) {
    if (scope && typeof reason === 'string') {
      Validations.of(scope).acknowledge(...rules.split(' ').map((id) => ({ id, reason })));
    }
  }
}

/** Why a finding that asks for a customer-managed key is acknowledged where none was given. */
export const AWS_MANAGED_KEY =
  'Encrypted at rest with a key AWS manages; a customer-managed one is the `encryptionKey` option.';

/** A log group kept `retention` days, with `key` if any, which CloudWatch Logs may then use. */
export function createLogGroup(scope: Construct, id: string, retention: number, key?: IKey) {
  const logGroup = new LogGroup(scope, id, { retention, encryptionKey: key });
  const arn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`;
  const logs = new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`).withConditions({
    ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arn },
  });
  const actions = ['Encrypt*', 'Decrypt*', 'ReEncrypt*', 'GenerateDataKey*', 'Describe*'];
  key?.grant(logs, ...actions.map((action) => `kms:${action}`));
  acknowledge(key ? undefined : logGroup, {
    'NIST.800.53.R5-CloudWatchLogGroupEncrypted HIPAA.Security-CloudWatchLogGroupEncrypted PCI.DSS.321-CloudWatchLogGroupEncrypted':
      AWS_MANAGED_KEY,
  });
  return logGroup;
}

export interface FunctionProps {
  /** The handler's file under lambda/. */
  readonly entry: string;
  /** Its role's. */
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetentionDays: number;
  /** An existing log group instead of a new one. */
  readonly logGroup?: ILogGroup | undefined;
  readonly bundling?: BundlingOptions;
  readonly tracing: boolean;
  readonly encryptionKey?: IKey | undefined;
}

/**
 * A Node 24 arm64 function `Handler` whose own role may write its own log group only (the managed
 * AWSLambdaBasicExecutionRole may write to all). `prefix`: deployed logical IDs stay as they were.
 */
export function createFunction(scope: Construct, prefix: string, props: FunctionProps) {
  const { encryptionKey: key, tracing } = props;
  const logGroup =
    props.logGroup ?? createLogGroup(scope, `${prefix}Logs`, props.logRetentionDays, key);
  const role = new Role(scope, `${prefix}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
  });
  logGroup.grantWrite(role);
  const handler = new NodejsFunction(scope, 'Handler', {
    entry: fileURLToPath(new URL(`../lambda/${props.entry}`, import.meta.url)),
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    environment: props.environment,
    bundling: props.bundling ?? BUNDLING,
    ...(tracing && { tracing: Tracing.ACTIVE }),
  });
  acknowledge(handler, {
    'Serverless-LambdaDLQ NIST.800.53.R5-LambdaDLQ HIPAA.Security-LambdaDLQ':
      'Lambda sends only failed asynchronous invocations to a function DLQ, and this function is invoked synchronously: by API Gateway, which answers the caller, or by an SQS event source, whose queue has its own DLQ.',
    'NIST.800.53.R5-LambdaInsideVPC HIPAA.Security-LambdaInsideVPC PCI.DSS.321-LambdaInsideVPC':
      'It calls only AWS APIs (SQS, Secrets Manager, DynamoDB), over TLS and signed with its role: a VPC would add NAT or endpoint costs and cold-start time and isolate nothing.',
    'NIST.800.53.R5-LambdaConcurrency HIPAA.Security-LambdaConcurrency':
      "Reserved concurrency would take capacity from the account's unreserved pool (a deploy fails at its minimum) to cap what is capped already: the receiver by its API stage throttling, a FIFO consumer by its active message groups.",
    'Serverless-LambdaTracing':
      !tracing &&
      'X-Ray is opt-in (the `tracing` setting): it bills per trace recorded, and the logs and metrics already give every callback (docs/operations.md, Tracing).',
  });
  acknowledge(role.node.findChild('DefaultPolicy'), {
    'NIST.800.53.R5-IAMNoInlinePolicy HIPAA.Security-IAMNoInlinePolicy PCI.DSS.321-IAMNoInlinePolicy':
      "The policy is this function's role's alone and lives and dies with it; a managed policy would only let its grants be attached elsewhere.",
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*] AwsSolutions-IAM5[Action::kms:GenerateDataKey*]':
      key &&
      "CDK's grants to encrypt and decrypt with the `encryptionKey`, on that key alone: the wildcards name the variants of two KMS operations.",
    'AwsSolutions-IAM5[Resource::*]':
      tracing &&
      'xray:PutTraceSegments and xray:PutTelemetryRecords take no resource-level permissions: * is the only resource they accept.',
  });
  return handler;
}
