import { CALL_EVENTS, type CallEvent, isCallEvent } from '../core/callback.js';
import type { Policy } from '../core/decide.js';
import { NotConfiguredError } from '../core/errors.js';
import { DEFAULT_METRICS_NAMESPACE } from './log.js';

/** The function's environment variables: the construct sets them, this module reads them. */
export const ENV = {
  queueUrl: 'QUEUE_URL',
  quarantineQueueUrl: 'QUARANTINE_QUEUE_URL',
  callbackSecret: 'CALLBACK_SECRET',
  callbackSecretArn: 'CALLBACK_SECRET_ARN',
  toleranceSeconds: 'SIGNATURE_TOLERANCE_SECONDS',
  appId: 'ZEGO_APP_ID',
  forwardEvents: 'FORWARD_EVENTS',
  forwardUnknownEvents: 'FORWARD_UNKNOWN_EVENTS',
  logLevel: 'LOG_LEVEL',
  metricsNamespace: 'METRICS_NAMESPACE',
  /** The AWS SDK's own name; read here too so that a test's env object is enough. */
  sqsEndpoint: 'AWS_ENDPOINT_URL_SQS',
  replayTableName: 'REPLAY_TABLE_NAME',
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
} as const;

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** What a secret created by the stack holds until the operator puts ZEGOCLOUD's value in it. */
export const UNSET_SECRET_PLACEHOLDER = 'REPLACE_ME_WITH_THE_ZEGOCLOUD_CALLBACK_SECRET';
export const DEFAULT_FORWARD_EVENTS: readonly CallEvent[] = ['call_reject'];

/** A ZEGOCLOUD AppID: digits that fit a double exactly (AppIDs are 32-bit). */
export const APP_ID_PATTERN = /^[0-9]{1,15}$/;

export type SecretLocation =
  /** Local runs and tests: one secret, or several comma-separated during a rotation. */
  | { readonly kind: 'inline'; readonly secrets: readonly string[] }
  | { readonly kind: 'secrets-manager'; readonly secretId: string };

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface Config {
  readonly queueUrl: string;
  /** Where signed callbacks this version cannot use are kept; without it they are answered 503. */
  readonly quarantineQueueUrl?: string | undefined;
  readonly secret: SecretLocation;
  readonly policy: Policy;
  readonly logLevel: LogLevel;
  /** CloudWatch namespace of the callback metrics. */
  readonly metricsNamespace: string;
  /** Only for the local stack and tests; unset on AWS. */
  readonly sqsEndpoint?: string | undefined;
  /** The replay guard's table; no guard when unset. */
  readonly replayTableName?: string | undefined;
  readonly dynamodbEndpoint?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Read once at cold start. Every problem is reported at once, so one deploy fixes them all. */
export function readConfig(env: Env): Config {
  const problems: string[] = [];
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const queueUrl = get(ENV.queueUrl);
  if (queueUrl === undefined) problems.push(`${ENV.queueUrl} is required`);

  const inline = get(ENV.callbackSecret);
  const secretId = get(ENV.callbackSecretArn);
  let secret: SecretLocation | undefined;
  if (inline !== undefined) secret = { kind: 'inline', secrets: splitList(inline) };
  else if (secretId !== undefined) secret = { kind: 'secrets-manager', secretId };
  else problems.push(`${ENV.callbackSecret} or ${ENV.callbackSecretArn} is required`);

  const toleranceText = get(ENV.toleranceSeconds);
  const toleranceSeconds =
    toleranceText === undefined ? DEFAULT_TOLERANCE_SECONDS : Number(toleranceText);
  if (!Number.isSafeInteger(toleranceSeconds) || toleranceSeconds < 0) {
    problems.push(`${ENV.toleranceSeconds} must be a whole number of seconds >= 0`);
  }

  const appIdText = get(ENV.appId);
  if (appIdText !== undefined && !APP_ID_PATTERN.test(appIdText)) {
    problems.push(`${ENV.appId} must be the numeric AppID`);
  }

  const forwardText = get(ENV.forwardEvents);
  const forwardEvents = forwardText === undefined ? DEFAULT_FORWARD_EVENTS : splitList(forwardText);
  const unknown = forwardEvents.filter((event) => !isCallEvent(event));
  if (unknown.length > 0 || forwardEvents.length === 0) {
    problems.push(`${ENV.forwardEvents} must list events among ${CALL_EVENTS.join(', ')}`);
  }

  const forwardUnknownText = (get(ENV.forwardUnknownEvents) ?? 'false').toLowerCase();
  if (forwardUnknownText !== 'true' && forwardUnknownText !== 'false') {
    problems.push(`${ENV.forwardUnknownEvents} must be true or false`);
  }

  const logLevel = (get(ENV.logLevel) ?? 'INFO').toUpperCase();
  if (!isLogLevel(logLevel)) problems.push(`${ENV.logLevel} must be DEBUG, INFO, WARN or ERROR`);

  if (
    problems.length > 0 ||
    queueUrl === undefined ||
    secret === undefined ||
    !isLogLevel(logLevel)
  ) {
    throw new NotConfiguredError(`invalid configuration: ${problems.join('; ')}`);
  }
  return {
    queueUrl,
    quarantineQueueUrl: get(ENV.quarantineQueueUrl),
    secret,
    logLevel,
    metricsNamespace: get(ENV.metricsNamespace) ?? DEFAULT_METRICS_NAMESPACE,
    sqsEndpoint: get(ENV.sqsEndpoint),
    replayTableName: get(ENV.replayTableName),
    dynamodbEndpoint: get(ENV.dynamodbEndpoint),
    policy: {
      toleranceSeconds,
      appId: appIdText === undefined ? undefined : Number(appIdText),
      forwardEvents: new Set(forwardEvents),
      forwardUnknownEvents: forwardUnknownText === 'true',
    },
  };
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function isLogLevel(level: string): level is LogLevel {
  return level === 'DEBUG' || level === 'INFO' || level === 'WARN' || level === 'ERROR';
}
