import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ILogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

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
  return new NodejsFunction(scope, 'Handler', {
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
  });
}
