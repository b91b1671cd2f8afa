import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * Every function's code, lambda/<name>.ts, which `npm run build` (scripts/build.ts) bundles into
 * dist/assets/<name>/index.mjs, so a user's synth needs no esbuild. `true`: a receiver's, its
 * node:http through lambda/builtins/node-http.cjs (measured a fifth off its load).
 */
export const ENTRIES = { entry: true, 'entry-replay-guard': true, consumer: false } as const;
export type Entry = keyof typeof ENTRIES;

/** dist/assets, from lib/function.ts in this checkout as from dist/lib/function.js in the package. */
export const ASSETS = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../dist/assets/' : '../assets/', import.meta.url),
);

export interface FunctionProps {
  /** The handler's bundle, built from lambda/<entry>.ts. */
  readonly entry: Entry;
  /** Its role's. */
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetentionDays: number;
  /** An existing log group instead of a new one. */
  readonly logGroup?: ILogGroup | undefined;
}

/**
 * A Node 24 arm64 function `Handler` whose own role may write its own log group only (the managed
 * AWSLambdaBasicExecutionRole may write to all). `prefix`: deployed logical IDs stay as they were.
 */
export function createFunction(scope: Construct, prefix: string, props: FunctionProps) {
  const logGroup =
    props.logGroup ?? new LogGroup(scope, `${prefix}Logs`, { retention: props.logRetentionDays });
  const role = new Role(scope, `${prefix}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
  });
  logGroup.grantWrite(role);
  return new LambdaFunction(scope, 'Handler', {
    code: Code.fromAsset(`${ASSETS}${props.entry}`),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    environment: props.environment,
  });
}
