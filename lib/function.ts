import { fileURLToPath } from 'node:url';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Aws, type Duration, Validations } from 'aws-cdk-lib/core';
import type { Construct, IConstruct } from 'constructs';

/** Every function, lambda/<name>.ts, bundled by `npm run build` into dist/assets/<name>/index.mjs,
 * so a user's synth needs no esbuild. `receiver`: node:http through lambda/builtins/node-http.cjs
 * (measured a fifth off its load); `traced`: that and a `require` for the CommonJS X-Ray SDK. */
export const ENTRIES = {
  entry: 'receiver',
  'entry-replay-guard': 'receiver',
  'entry-traced': 'traced',
  consumer: 'plain',
} as const;
export type Entry = keyof typeof ENTRIES;
export type EntryKind = (typeof ENTRIES)[Entry];

/** dist/assets, from lib/function.ts in this checkout as from dist/lib/index.js in the package. */
export const ASSETS = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../dist/assets/' : '../assets/', import.meta.url),
);

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
  readonly entry: Entry;
  /** The role's description. */
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetentionDays: number;
  /** An existing log group instead of a new one. */
  readonly logGroup?: ILogGroup | undefined;
  readonly tracing: boolean;
  readonly encryptionKey?: IKey | undefined;
}

/** A Node 24 arm64 function `Handler` whose own role may write its own log group only (the managed
 * AWSLambdaBasicExecutionRole may write to all). `prefix`: deployed logical IDs stay as they were. */
export function createFunction(scope: Construct, prefix: string, props: FunctionProps) {
  const { encryptionKey: key, tracing } = props;
  const logGroup =
    props.logGroup ?? createLogGroup(scope, `${prefix}Logs`, props.logRetentionDays, key);
  const role = new Role(scope, `${prefix}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
  });
  logGroup.grantWrite(role);
  const handler = new LambdaFunction(scope, 'Handler', {
    code: Code.fromAsset(`${ASSETS}${props.entry}`),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    environment: props.environment,
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
