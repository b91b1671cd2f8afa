import { NotConfiguredError } from '../core/errors.js';
import { envName, namesWhere, readSettings, splitList } from '../settings.js';

/** The function's settings, as read once at cold start: each by its name, and core's policy. */
export type Config = ReturnType<typeof readConfig>;

/** Every problem at once, so that one deploy fixes them all. */
export function readConfig(env: Readonly<Record<string, string | undefined>>) {
  const { values, problems } = readSettings(
    namesWhere({ env: true }),
    (name) => env[envName(name)],
    envName,
  );
  const { queueUrl, callbackSecret, callbackSecretId, previousSecretHours, zegoAppId } = values;
  if (queueUrl === undefined) problems.push('QUEUE_URL is required');
  // Inline: local runs and tests, one secret or several comma-separated during a rotation.
  const secret =
    callbackSecret !== undefined
      ? { kind: 'inline' as const, secrets: splitList(callbackSecret) }
      : callbackSecretId !== undefined
        ? { kind: 'secrets-manager' as const, secretId: callbackSecretId, previousSecretHours }
        : undefined;
  if (secret === undefined) problems.push('CALLBACK_SECRET or CALLBACK_SECRET_ID is required');
  if (problems.length > 0 || queueUrl === undefined || secret === undefined) {
    throw new NotConfiguredError(`invalid configuration: ${problems.join('; ')}`);
  }
  return {
    ...values,
    queueUrl,
    secret,
    policy: {
      toleranceSeconds: values.signatureToleranceSeconds,
      appId: zegoAppId === undefined ? undefined : Number(zegoAppId),
      forwardEvents: new Set<string>(values.forwardEvents),
      forwardUnknownEvents: values.forwardUnknownEvents,
    },
  };
}
