import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ILogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * Local esbuild, never Docker. The SDK is bundled, minified and tree-shaken rather than taken
 * from the runtime: a smaller, pinned, faster-loading artifact.
 */
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
  /** What the function may do, as its role says. */
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
 * A Node 24 arm64 function `Handler` with its own role, allowed to write its own log group only
 * (the managed AWSLambdaBasicExecutionRole may write to every one). `prefix` names the log
 * group and role as before this helper, so that deployed stacks keep their logical IDs.
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
