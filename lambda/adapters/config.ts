import {
  SETTINGS,
  type Setting,
  type SettingName,
  SettingsReader,
  splitList,
} from '../../config/settings.js';
import { NotConfiguredError } from '../core/errors.js';

/** The function's settings, as read once at cold start. */
export type Config = ReturnType<typeof readConfig>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every problem is reported at once, so one deploy fixes them all. Without a quarantine queue,
 * signed callbacks this version cannot use are answered 503; without a table, no replay guard;
 * the endpoints are for the local stack and tests only.
 */
export function readConfig(env: Env) {
  const reader = new SettingsReader((setting) => setting.env ?? '');
  // Only the table's own variables are read; a blank one is a problem, not an unset one.
  const read = <N extends SettingName>(name: N) => {
    const variable = (SETTINGS[name] as Setting).env;
    return reader.read(name, variable === undefined ? undefined : env[variable]);
  };

  const queueUrl = read('queueUrl');
  if (queueUrl === undefined) reader.problems.push(`${SETTINGS.queueUrl.env} is required`);
  const inline = read('callbackSecret');
  const secretId = read('secretArn');
  const previousSecretHours = read('previousSecretHours');
  // Inline: local runs and tests, one secret or several comma-separated during a rotation.
  const secret =
    inline !== undefined
      ? { kind: 'inline' as const, secrets: splitList(inline) }
      : secretId !== undefined
        ? { kind: 'secrets-manager' as const, secretId, previousSecretHours }
        : undefined;
  if (secret === undefined) {
    reader.problems.push(`${SETTINGS.callbackSecret.env} or ${SETTINGS.secretArn.env} is required`);
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
