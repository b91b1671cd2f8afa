import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { APP_ID_PATTERN, isLogLevel, splitList } from '../lambda/adapters/config.js';
import { CALL_EVENTS, type CallEvent, isCallEvent } from '../lambda/core/callback.js';
import { MONITORING_DEFAULTS } from './zego-callback-monitoring.js';
import { RECEIVER_DEFAULTS } from './zego-callback-receiver.js';

/** The stack's settings, each a CDK context key (cdk.json, or `-c key=value`). */
export interface StackSettings {
  readonly zegoAppId?: string;
  readonly forwardEvents: readonly CallEvent[];
  readonly forwardUnknownEvents: boolean;
  /** Deploy the reference consumer (lambda/consumer.ts) on the queue. */
  readonly referenceConsumer: boolean;
  /** Refuse captured signatures attached to another body (a DynamoDB table). */
  readonly replayGuard: boolean;
  readonly signatureToleranceSeconds: number;
  readonly callbackSecretArn?: string;
  readonly logRetention: RetentionDays;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly alarmEmail?: string;
  /** 0: no "no callbacks" alarm. */
  readonly noCallbacksAlarmMinutes: number;
  readonly oldestMessageAlarmSeconds: number;
}

export class InvalidContextError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidContextError';
  }
}

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const RETENTION_DAYS = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/**
 * Reads and validates the context at synth, so that a typo fails `cdk synth` with a message
 * rather than deploying a stack that refuses every callback.
 */
export function readStackSettings(tryGetContext: (key: string) => unknown): StackSettings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const s = String(value).trim();
    return s === '' ? undefined : s;
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const flag = (key: string): boolean => {
    const raw = text(key)?.toLowerCase();
    if (raw === undefined || raw === 'false') return false;
    if (raw === 'true') return true;
    problems.push(`${key} must be true or false, got "${raw}"`);
    return false;
  };

  const zegoAppId = text('zegoAppId');
  if (zegoAppId !== undefined && !APP_ID_PATTERN.test(zegoAppId)) {
    problems.push(`zegoAppId must be the numeric ZEGOCLOUD AppID, got "${zegoAppId}"`);
  }

  const forwardRaw = tryGetContext('forwardEvents');
  const forwardList = Array.isArray(forwardRaw)
    ? forwardRaw.map(String)
    : forwardRaw === undefined
      ? [...RECEIVER_DEFAULTS.forwardEvents]
      : splitList(String(forwardRaw));
  const forwardEvents = forwardList.filter(isCallEvent);
  if (forwardEvents.length !== forwardList.length || forwardEvents.length === 0) {
    problems.push(
      `forwardEvents must list one or more of ${CALL_EVENTS.join(', ')}, got "${forwardList.join(',')}"`,
    );
  }

  const callbackSecretArn = text('callbackSecretArn');
  if (callbackSecretArn !== undefined && !SECRET_ARN.test(callbackSecretArn)) {
    problems.push(
      `callbackSecretArn must be a complete Secrets Manager secret ARN (ending in -XXXXXX), got "${callbackSecretArn}"`,
    );
  }

  const logRetentionDays = integer('logRetentionDays', RECEIVER_DEFAULTS.logRetention, 1, 3653);
  if (!RETENTION_DAYS.has(logRetentionDays)) {
    problems.push(
      `logRetentionDays must be one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, ...)`,
    );
  }

  const logLevel = (text('logLevel') ?? RECEIVER_DEFAULTS.logLevel).toUpperCase();
  if (!isLogLevel(logLevel)) {
    problems.push(`logLevel must be DEBUG, INFO, WARN or ERROR, got "${logLevel}"`);
  }

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail must be an e-mail address, got "${alarmEmail}"`);
  }

  const settings: StackSettings = {
    zegoAppId,
    forwardEvents,
    forwardUnknownEvents: flag('forwardUnknownEvents'),
    referenceConsumer: flag('referenceConsumer'),
    replayGuard: flag('replayGuard'),
    signatureToleranceSeconds: integer(
      'signatureToleranceSeconds',
      RECEIVER_DEFAULTS.signatureToleranceSeconds,
      0,
      86_400,
    ),
    callbackSecretArn,
    logRetention: logRetentionDays as RetentionDays,
    throttleRateLimit: integer(
      'throttleRateLimit',
      RECEIVER_DEFAULTS.throttle.rateLimit,
      1,
      1_000_000,
    ),
    throttleBurstLimit: integer(
      'throttleBurstLimit',
      RECEIVER_DEFAULTS.throttle.burstLimit,
      1,
      1_000_000,
    ),
    logLevel: logLevel as StackSettings['logLevel'],
    alarmEmail,
    // Whole minutes, and a multiple of the one-minute metric period up to a day.
    noCallbacksAlarmMinutes: integer('noCallbacksAlarmMinutes', 0, 0, 1440),
    oldestMessageAlarmSeconds: integer(
      'oldestMessageAlarmSeconds',
      MONITORING_DEFAULTS.oldestMessageAlarmSeconds,
      60,
      1_209_600,
    ),
  };
  if (problems.length > 0) throw new InvalidContextError(problems);
  return settings;
}
