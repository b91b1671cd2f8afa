import { hash } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type Config, ENV, readConfig } from './adapters/config.js';
import { perCallbackClientSettings, sdkClientSettings } from './adapters/deadline.js';
import {
  type CallbackRecord,
  DEFAULT_METRICS_NAMESPACE,
  JsonLogger,
  type Logger,
} from './adapters/log.js';
import { type QueueSender, SqsQueueSender } from './adapters/queue.js';
import type { ReplayGuard } from './adapters/replay-guard.js';
import { InlineSecrets, type SecretSource, SecretsManagerSecrets } from './adapters/secrets.js';
import { type Decision, decide, type Policy, receiveCallback } from './core/decide.js';
import {
  asCallbackError,
  type CallbackError,
  NotConfiguredError,
  SignatureError,
} from './core/errors.js';
import { callIdOf } from './core/message.js';
import { type SignedFields, verifySignature } from './core/signature.js';

export interface Dependencies {
  readonly policy: Policy;
  readonly secrets: SecretSource;
  readonly queue: QueueSender;
  readonly log: Logger;
  readonly now: () => Date;
  /** Opt-in: refuses a captured signature attached to another body. */
  readonly replayGuard?: ReplayGuard | undefined;
}

export type CallbackHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The handler: API Gateway event in, response out. It never throws: every input and every
 * failure becomes an answer, 2xx only once the event is stored or deliberately ignored.
 */
export function createHandler(dependencies: Dependencies | CallbackError): CallbackHandler {
  const log =
    'log' in dependencies
      ? dependencies.log
      : new JsonLogger('INFO', process.env[ENV.metricsNamespace] ?? DEFAULT_METRICS_NAMESPACE);
  return async (event) => {
    const started = performance.now();
    const requestId = event.requestContext?.requestId;
    // Set once the callback is verified, so that a later failure is recorded with its event.
    const verified: { decision?: Decision } = {};
    try {
      if (!('log' in dependencies)) throw dependencies;
      const { decision, messageId } = await handleCallback(event, dependencies, verified);
      const status = 200;
      log.callback({
        outcome: decision.action === 'enqueue' ? 'enqueued' : 'ignored',
        status,
        ...describe(decision),
        messageId,
        requestId,
        latencyMs: elapsed(started),
      });
      return json(
        status,
        decision.action === 'enqueue'
          ? { status: 'enqueued', id: decision.message.deduplicationId }
          : { status: 'ignored' },
      );
    } catch (thrown) {
      const error = asCallbackError(thrown);
      const failed = error.status >= 500;
      log.callback({
        outcome: failed ? 'failed' : 'refused',
        ...(verified.decision ? describe(verified.decision) : {}),
        status: error.status,
        reason: error.reason,
        error: error.message,
        cause: failed ? describeCause(error.cause) : undefined,
        requestId,
        latencyMs: elapsed(started),
      });
      // 5xx details are for the operator's logs, not for whoever is calling.
      const message = failed ? 'temporarily unavailable; retry later' : error.message;
      return json(error.status, { error: error.code, message });
    }
  };
}

async function handleCallback(
  event: APIGatewayProxyEventV2,
  dependencies: Dependencies,
  verified: { decision?: Decision },
): Promise<{ decision: Decision; messageId?: string }> {
  const { policy, secrets, queue, now } = dependencies;
  const received = receiveCallback(
    { body: event.body, isBase64Encoded: event.isBase64Encoded ?? false },
    policy,
  );
  await verify(received.signed, secrets);
  const decision = decide(received, policy, now());
  verified.decision = decision;
  // Ignored events too: their captured signatures could otherwise carry a forwarded event.
  await dependencies.replayGuard?.admit(received.signed, hash('sha256', event.body ?? '', 'hex'));
  if (decision.action === 'ignore') return { decision };
  return { decision, messageId: await queue.send(decision.message) };
}

async function verify(signed: SignedFields, secrets: SecretSource): Promise<void> {
  const current = await secrets.current();
  try {
    verifySignature(signed, current);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    // The secret may have been rotated since it was cached: one re-read before refusing.
    const fresh = await secrets.refreshed();
    // The same list when no re-read was allowed (or possible): its verdict is already known.
    if (fresh === current) throw error;
    verifySignature(signed, fresh);
  }
}

function describe(decision: Decision): Partial<CallbackRecord> {
  if (decision.action === 'ignore') {
    return { event: decision.envelope.event, appId: decision.envelope.appId };
  }
  const { callback } = decision;
  return {
    event: callback.event === 'unknown' ? callback.rawEvent : callback.event,
    appId: callback.appId,
    callId: callIdOf(callback),
    id: decision.message.deduplicationId,
  };
}

function describeCause(cause: unknown): string | undefined {
  if (cause instanceof Error) {
    const inner =
      cause.cause instanceof Error ? ` (${cause.cause.name}: ${cause.cause.message})` : '';
    return `${cause.name}: ${cause.message}${inner}`;
  }
  return cause === undefined ? undefined : String(cause);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function json(statusCode: number, body: object): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** Wires the real adapters from the function's environment (see adapters/config.ts). */
export function dependenciesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  extensions: Extensions = {},
): Dependencies {
  const config: Config = readConfig(env);
  const secret = config.secret;
  return {
    policy: config.policy,
    secrets:
      secret.kind === 'inline'
        ? new InlineSecrets(secret.secrets)
        : new SecretsManagerSecrets(new SecretsManagerClient(sdkClientSettings), secret.secretId),
    queue: new SqsQueueSender(
      new SQSClient({ ...perCallbackClientSettings, endpoint: config.sqsEndpoint }),
      config.queueUrl,
    ),
    log: new JsonLogger(config.logLevel, config.metricsNamespace),
    now: () => new Date(),
    replayGuard: guard(config, extensions),
  };
}

/** What an entry point adds to the default wiring. */
export interface Extensions {
  readonly replayGuard?: (config: Config) => ReplayGuard | undefined;
}

function guard(config: Config, extensions: Extensions): ReplayGuard | undefined {
  if (config.replayTableName === undefined) return undefined;
  // A table configured for a bundle without the guard must not run unguarded.
  if (extensions.replayGuard === undefined) {
    throw new NotConfiguredError(
      `${ENV.replayTableName} is set, but this bundle has no replay guard (use lambda/entry-replay-guard.ts)`,
    );
  }
  return extensions.replayGuard(config);
}

export function createHandlerFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  extensions: Extensions = {},
): CallbackHandler {
  try {
    return createHandler(dependenciesFromEnvironment(env, extensions));
  } catch (error) {
    // A bad configuration answers 503 (and logs why) on every call rather than crashing the
    // init phase, which API Gateway would turn into 500s with no reason attached.
    return createHandler(asCallbackError(error));
  }
}
