import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SETTINGS } from '../config/settings.js';
import { type Config, readConfig } from './adapters/config.js';
import { DEFAULT_METRICS_NAMESPACE, JsonLogger } from './adapters/log.js';
import { SqsQuarantineSender, SqsQueueSender } from './adapters/queue.js';
import type { ReplayGuard } from './adapters/replay-guard.js';
import { perCallbackClientSettings, sdkClientSettings } from './adapters/sdk-client-settings.js';
import { InlineSecrets, SecretsManagerSecrets } from './adapters/secrets.js';
import { asCallbackError, NotConfiguredError } from './core/errors.js';
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
}

/**
 * The handler as an entry point builds it: settings read once from the environment (at cold
 * start), the real adapters wired. Invalid settings give a handler that answers 503 and says why.
 */
export function createHandlerFromEnvironment(
  env: Env,
  extensions: Extensions = {},
): CallbackHandler {
  try {
    return createHandler(dependenciesFromEnvironment(env, extensions));
  } catch (error) {
    const log = new JsonLogger(
      'INFO',
      env[SETTINGS.metricsNamespace.env] ?? DEFAULT_METRICS_NAMESPACE,
    );
    return createUnconfiguredHandler(asCallbackError(error), log);
  }
}

export function dependenciesFromEnvironment(env: Env, extensions: Extensions = {}): Dependencies {
  const config = readConfig(env);
  const { secret } = config;
  // One client for both queues: they are called once per callback, with the middleware cache.
  const sqs = new SQSClient({ ...perCallbackClientSettings, endpoint: config.sqsEndpoint });
  return {
    policy: config.policy,
    secrets:
      secret.kind === 'inline'
        ? new InlineSecrets(secret.secrets)
        : new SecretsManagerSecrets(new SecretsManagerClient(sdkClientSettings), secret.secretId, {
            previousSecretMs: secret.previousSecretHours * 3_600_000,
          }),
    queue: new SqsQueueSender(sqs, config.queueUrl),
    quarantine:
      config.quarantineQueueUrl === undefined
        ? undefined
        : new SqsQuarantineSender(sqs, config.quarantineQueueUrl),
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
      `${SETTINGS.replayTableName.env} is set, but this bundle has no replay guard (use lambda/entry-replay-guard.ts)`,
    );
  }
  return extensions.replayGuard(config);
}
