import {
  type LogLevel,
  SETTINGS,
  type Setting,
  type SettingName,
  SettingsReader,
  splitList,
} from '../../config/settings.js';
import type { Policy } from '../core/decide.js';
import { NotConfiguredError } from '../core/errors.js';

/** The function's environment variables, named in config/settings.ts: the construct sets them. */
export const ENV = {
  queueUrl: SETTINGS.queueUrl.env,
  quarantineQueueUrl: SETTINGS.quarantineQueueUrl.env,
  callbackSecret: SETTINGS.callbackSecret.env,
  callbackSecretArn: SETTINGS.secretArn.env,
  toleranceSeconds: SETTINGS.signatureToleranceSeconds.env,
  previousSecretHours: SETTINGS.previousSecretHours.env,
  appId: SETTINGS.appId.env,
  forwardEvents: SETTINGS.forwardEvents.env,
  forwardUnknownEvents: SETTINGS.forwardUnknownEvents.env,
  logLevel: SETTINGS.logLevel.env,
  metricsNamespace: SETTINGS.metricsNamespace.env,
  sqsEndpoint: SETTINGS.sqsEndpoint.env,
  replayTableName: SETTINGS.replayTableName.env,
  dynamodbEndpoint: SETTINGS.dynamodbEndpoint.env,
} as const;

export type SecretLocation =
  /** Local runs and tests: one secret, or several comma-separated during a rotation. */
  | { readonly kind: 'inline'; readonly secrets: readonly string[] }
  | {
      readonly kind: 'secrets-manager';
      readonly secretId: string;
      /** How long AWSPREVIOUS is accepted after AWSCURRENT was put. */
      readonly previousSecretHours: number;
    };

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
  const reader = new SettingsReader((setting) => setting.env ?? '');
  // Only the table's own variables are read; a blank one is a problem, not an unset one.
  const read = <N extends SettingName>(name: N) => {
    const variable = (SETTINGS[name] as Setting).env;
    return reader.read(name, variable === undefined ? undefined : env[variable]);
  };

  const queueUrl = read('queueUrl');
  if (queueUrl === undefined) reader.problems.push(`${ENV.queueUrl} is required`);
  const inline = read('callbackSecret');
  const secretId = read('secretArn');
  const previousSecretHours = read('previousSecretHours');
  const secret: SecretLocation | undefined =
    inline !== undefined
      ? { kind: 'inline', secrets: splitList(inline) }
      : secretId !== undefined
        ? { kind: 'secrets-manager', secretId, previousSecretHours }
        : undefined;
  if (secret === undefined) {
    reader.problems.push(`${ENV.callbackSecret} or ${ENV.callbackSecretArn} is required`);
  }
  const appId = read('appId');
  const config = {
    quarantineQueueUrl: read('quarantineQueueUrl'),
    logLevel: read('logLevel'),
    metricsNamespace: read('metricsNamespace'),
    sqsEndpoint: read('sqsEndpoint'),
    replayTableName: read('replayTableName'),
    dynamodbEndpoint: read('dynamodbEndpoint'),
    policy: {
      toleranceSeconds: read('signatureToleranceSeconds'),
      appId: appId === undefined ? undefined : Number(appId),
      forwardEvents: new Set<string>(read('forwardEvents')),
      forwardUnknownEvents: read('forwardUnknownEvents'),
    },
  };
  if (reader.problems.length > 0 || queueUrl === undefined || secret === undefined) {
    throw new NotConfiguredError(`invalid configuration: ${reader.problems.join('; ')}`);
  }
  return { ...config, queueUrl, secret };
}
