import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Config, readConfig } from './adapters/config.js';
import { JsonLogger } from './adapters/log.js';
import { SqsSender } from './adapters/queue.js';
import type { ReplayGuard } from './adapters/replay-guard.js';
import type { Traced } from './adapters/sdk-client-settings.js';
import { perCallbackClientSettings, sdkClientSettings } from './adapters/sdk-client-settings.js';
import { InlineSecrets, SecretsManagerSecrets } from './adapters/secrets.js';
import { asCallbackError, NotConfiguredError, QuarantineError } from './core/errors.js';
import {
  type CallbackHandler,
  createHandler,
  createUnconfiguredHandler,
  type Dependencies,
} from './handler.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What an entry point adds to the default wiring. */
export interface Extensions {
  readonly replayGuard?: (config: Config) => ReplayGuard | undefined;
  /** Each AWS SDK client as the entry point wants it (lambda/entry-traced.ts: X-Ray). */
  readonly traced?: Traced;
}

/** Settings read once, at cold start; invalid ones give a handler that answers 503 and says why. */
export function createHandlerFromEnvironment(
  env: Env,
  extensions: Extensions = {},
): CallbackHandler {
  try {
    return createHandler(dependenciesFromEnvironment(env, extensions));
  } catch (error) {
    const log = new JsonLogger(undefined, env.METRICS_NAMESPACE || undefined);
    return createUnconfiguredHandler(asCallbackError(error), log);
  }
}

function dependenciesFromEnvironment(env: Env, extensions: Extensions = {}): Dependencies {
  const config = readConfig(env);
  const { secret, awsEndpointUrlSqs: endpoint } = config;
  const traced = extensions.traced ?? ((client) => client);
  const secretsManager = () => traced(new SecretsManagerClient(sdkClientSettings));
  // One client for both queues: they are called once per callback, with the middleware cache.
  const sqs = traced(new SQSClient({ ...perCallbackClientSettings, endpoint }));
  return {
    policy: config.policy,
    secrets:
      secret.kind === 'inline'
        ? new InlineSecrets(secret.secrets)
        : new SecretsManagerSecrets(secretsManager(), secret.secretId, {
            previousSecretMs: secret.previousSecretHours * 3_600_000,
          }),
    queue: new SqsSender(sqs, config.queueUrl),
    quarantine:
      config.quarantineQueueUrl === undefined
        ? undefined
        : new SqsSender(sqs, config.quarantineQueueUrl, QuarantineError),
    log: new JsonLogger(config.logLevel, config.metricsNamespace),
    now: () => new Date(),
    replayGuard: guard(config, extensions),
  };
}

function guard(config: Config, extensions: Extensions): ReplayGuard | undefined {
  if (config.replayTableName === undefined) return undefined;
  // A table configured for a bundle without the guard must not run unguarded.
  if (extensions.replayGuard === undefined) {
    throw new NotConfiguredError(
      `REPLAY_TABLE_NAME is set, but this bundle has no replay guard (use lambda/entry-replay-guard.ts)`,
    );
  }
  return extensions.replayGuard(config);
}
