/**
 * Every setting of the receiver, once: its name (the construct prop), CDK context key, the
 * environment variable the function reads, type, default, bounds and one line of doc.
 *
 * This table drives the CDK context reader (lib/context.ts), the construct's prop validation and
 * the environment it writes (lib/zego-callback-receiver.ts), the function's environment reader
 * (lambda/adapters/config.ts) and README's configuration tables (`npm run readme`, held by
 * test/settings.test.ts). Change a default here and all of them follow.
 *
 * No aws-cdk-lib and no AWS SDK here: the function's bundle and the local stack load this file.
 * Its one import is the event list of the pure core.
 */
import { CALL_EVENTS } from '../lambda/core/callback.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a secret created by the stack holds until the operator puts ZEGOCLOUD's value in it. */
export const UNSET_SECRET_PLACEHOLDER = 'REPLACE_ME_WITH_THE_ZEGOCLOUD_CALLBACK_SECRET';

/** A ZEGOCLOUD AppID: digits that fit a double exactly (AppIDs are 32-bit). */
export const APP_ID_PATTERN = /^[0-9]{1,15}$/;

/** CloudWatch Logs retention periods in days (RetentionDays; 9999 keeps logs forever). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653, 9999,
] as const;

/** Where a setting takes effect; README groups the context keys by it. */
export type SettingScope = 'receiver' | 'monitoring' | 'stack' | 'function';

interface Common {
  /** CDK context key (`cdk.json` or `-c key=value`). */
  readonly context?: string;
  /** Environment variable the function reads. */
  readonly env?: string;
  /** Construct prop, as a path when nested (`throttle.rateLimit`). */
  readonly prop?: string;
  readonly scope: SettingScope;
  /** The function refuses to start without it (503 and a log line). */
  readonly required?: boolean;
  /** Never repeated in an error message. */
  readonly sensitive?: boolean;
  /** What a default means when it is not a plain value (README shows this instead). */
  readonly defaultText?: string;
  readonly doc: string;
}

export interface IntegerSetting extends Common {
  readonly type: 'integer';
  readonly default?: number;
  readonly min: number;
  readonly max: number;
  /** When only some whole numbers in [min, max] are valid. */
  readonly allowed?: readonly number[];
}
export interface BooleanSetting extends Common {
  readonly type: 'boolean';
  readonly default: boolean;
}
export interface ChoiceSetting<V extends string = string> extends Common {
  readonly type: 'choice';
  readonly values: readonly V[];
  readonly default?: V;
}
export interface ListSetting<V extends string = string> extends Common {
  readonly type: 'list';
  readonly values: readonly V[];
  readonly default: readonly V[];
}
export interface TextSetting extends Common {
  readonly type: 'text';
  readonly default?: string;
  readonly pattern?: RegExp;
  /** What a valid value is, for error messages and README. */
  readonly expected?: string;
}
export type Setting = IntegerSetting | BooleanSetting | ChoiceSetting | ListSetting | TextSetting;

export const SETTINGS = {
  appId: {
    type: 'text',
    context: 'zegoAppId',
    env: 'ZEGO_APP_ID',
    prop: 'appId',
    scope: 'receiver',
    pattern: APP_ID_PATTERN,
    expected: 'the numeric ZEGOCLOUD AppID',
    defaultText: '(none: any AppID)',
    doc: 'Your ZEGOCLOUD AppID. When set, callbacks for any other AppID are refused with 403.',
  },
  forwardEvents: {
    type: 'list',
    context: 'forwardEvents',
    env: 'FORWARD_EVENTS',
    prop: 'forwardEvents',
    scope: 'receiver',
    values: CALL_EVENTS,
    default: ['call_reject'],
    doc: 'Events to enqueue (a comma list in context and environment). Every other signed event is answered 200 and dropped.',
  },
  forwardUnknownEvents: {
    type: 'boolean',
    context: 'forwardUnknownEvents',
    env: 'FORWARD_UNKNOWN_EVENTS',
    prop: 'forwardUnknownEvents',
    scope: 'receiver',
    default: false,
    doc: 'Also enqueue events this version does not know, raw, as `event: "unknown"` (see the contract).',
  },
  signatureToleranceSeconds: {
    type: 'integer',
    context: 'signatureToleranceSeconds',
    env: 'SIGNATURE_TOLERANCE_SECONDS',
    prop: 'signatureToleranceSeconds',
    scope: 'receiver',
    default: 300,
    min: 0,
    max: 86_400,
    doc: "Accepted difference between a callback's timestamp and now, either way. `0` switches the check off (not recommended: the signature does not cover the body).",
  },
  previousSecretHours: {
    type: 'integer',
    context: 'previousSecretHours',
    env: 'PREVIOUS_SECRET_HOURS',
    prop: 'previousSecretHours',
    scope: 'receiver',
    default: 24,
    min: 0,
    max: 720,
    doc: 'Hours after a new CallbackSecret is put during which the one it replaced (AWSPREVIOUS) is still accepted. `0`: never.',
  },
  logLevel: {
    type: 'choice',
    context: 'logLevel',
    env: 'LOG_LEVEL',
    prop: 'logLevel',
    scope: 'receiver',
    values: LOG_LEVELS,
    default: 'INFO',
    doc: 'Level of the log lines; metrics are written whatever the level.',
  },
  callbackSecretArn: {
    type: 'text',
    context: 'callbackSecretArn',
    scope: 'receiver',
    pattern:
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    expected: 'a complete Secrets Manager secret ARN (ending in -XXXXXX)',
    defaultText: '(a new secret)',
    doc: 'An existing plain-string secret holding the ZEGOCLOUD CallbackSecret (construct prop `callbackSecret`). Default: the stack creates one, holding a placeholder (503) until you put the value.',
  },
  replayGuard: {
    type: 'boolean',
    context: 'replayGuard',
    prop: 'replayGuard',
    scope: 'receiver',
    default: false,
    doc: 'Refuse a captured signature attached to another body: a DynamoDB table, one conditional write per callback.',
  },
  logRetentionDays: {
    type: 'integer',
    context: 'logRetentionDays',
    prop: 'logRetention',
    scope: 'receiver',
    default: 30,
    min: 1,
    max: 9999,
    allowed: LOG_RETENTION_DAYS,
    doc: "Retention of the function's and the API's access log groups, in days (a CloudWatch value; 9999: forever).",
  },
  throttleRateLimit: {
    type: 'integer',
    context: 'throttleRateLimit',
    prop: 'throttle.rateLimit',
    scope: 'receiver',
    default: 100,
    min: 1,
    max: 1_000_000,
    doc: 'API stage throttling, requests per second. Above it API Gateway answers 429 and ZEGOCLOUD retries.',
  },
  throttleBurstLimit: {
    type: 'integer',
    context: 'throttleBurstLimit',
    prop: 'throttle.burstLimit',
    scope: 'receiver',
    default: 200,
    min: 1,
    max: 1_000_000,
    doc: 'API stage throttling, burst (requests).',
  },
  memorySize: {
    type: 'integer',
    context: 'memorySize',
    prop: 'memorySize',
    scope: 'receiver',
    default: 512,
    min: 128,
    max: 10_240,
    doc: 'Memory of the callback function in MB; CPU scales with it.',
  },
  routePath: {
    type: 'text',
    prop: 'routePath',
    scope: 'receiver',
    default: '/zego/callback',
    pattern: /^\/[A-Za-z0-9._~/-]*$/,
    expected: 'a path starting with /',
    doc: 'Path of the callback route, on API Gateway and on the local server alike.',
  },
  domainName: {
    type: 'text',
    context: 'domainName',
    prop: 'customDomain.domainName',
    scope: 'receiver',
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    expected: 'a lower-case host name such as callbacks.example.com',
    defaultText: '(none: the API endpoint)',
    doc: 'Custom domain of the callback URL, so that the URL pasted into the ZEGOCLOUD console survives a stack replacement. Needs `certificateArn`.',
  },
  certificateArn: {
    type: 'text',
    context: 'certificateArn',
    scope: 'receiver',
    pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+$/,
    expected: 'an ACM certificate ARN, in the region of the stack',
    doc: 'ACM certificate for `domainName` (construct prop `customDomain.certificate`).',
  },
  hostedZoneId: {
    type: 'text',
    context: 'hostedZoneId',
    scope: 'receiver',
    pattern: /^Z[A-Z0-9]{1,31}$/,
    expected: 'a Route 53 hosted zone ID',
    defaultText: '(none: add the DNS record yourself)',
    doc: 'Route 53 zone in which to create the alias record of `domainName`; needs `hostedZoneName` (construct prop `customDomain.hostedZone`).',
  },
  hostedZoneName: {
    type: 'text',
    context: 'hostedZoneName',
    scope: 'receiver',
    pattern: /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/,
    expected: 'the zone name, such as example.com or, as Route 53 spells it, example.com.',
    doc: 'Name of the `hostedZoneId` zone.',
  },
  keepExecuteApiEndpoint: {
    type: 'boolean',
    context: 'keepExecuteApiEndpoint',
    prop: 'customDomain.keepExecuteApiEndpoint',
    scope: 'receiver',
    default: false,
    doc: "With `domainName`, keep the API's default `execute-api` endpoint open too. Off, only the domain answers: the default URL is no way around what you put in front of it.",
  },
  metricsNamespace: {
    type: 'text',
    env: 'METRICS_NAMESPACE',
    prop: 'metricsNamespace',
    scope: 'receiver',
    default: 'ZegoCallbacks',
    pattern: /^[A-Za-z0-9 .\-_/#:]{1,255}$/,
    expected: 'a CloudWatch namespace',
    defaultText:
      "`ZegoCallbacks/<stack name>/<receiver's path in the stack>` (function alone: `ZegoCallbacks`)",
    doc: 'CloudWatch namespace of the callback metrics.',
  },
  alarmEmail: {
    type: 'text',
    context: 'alarmEmail',
    prop: 'alarmEmail',
    scope: 'monitoring',
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    expected: 'an e-mail address',
    defaultText: '(none)',
    doc: 'Send alarm and OK notifications to this address (an SNS topic; confirm the subscription e-mail).',
  },
  noCallbacksAlarmMinutes: {
    type: 'integer',
    context: 'noCallbacksAlarmMinutes',
    prop: 'noCallbacksAlarmMinutes',
    scope: 'monitoring',
    default: 0,
    // Whole minutes, a multiple of the one-minute metric period, up to a day.
    min: 0,
    max: 1440,
    defaultText: '`0` (off)',
    doc: 'Alarm when no callback at all arrived for this many minutes (off by default: quiet hours are normal for many apps).',
  },
  oldestMessageAlarmSeconds: {
    type: 'integer',
    context: 'oldestMessageAlarmSeconds',
    prop: 'oldestMessageAlarmSeconds',
    scope: 'monitoring',
    default: 900,
    min: 60,
    max: 1_209_600,
    doc: 'Alarm when a message has waited this long on the callback queue (consumers stalled).',
  },
  referenceConsumer: {
    type: 'boolean',
    context: 'referenceConsumer',
    scope: 'stack',
    default: false,
    doc: 'Deploy the reference consumer Lambda (lambda/consumer.ts) on the queue.',
  },
  stackName: {
    type: 'text',
    context: 'stackName',
    scope: 'stack',
    default: 'ZegoCallbackStack',
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    expected: 'a CloudFormation stack name',
    doc: 'Name of the CloudFormation stack.',
  },
  queueUrl: {
    type: 'text',
    env: 'QUEUE_URL',
    scope: 'function',
    required: true,
    doc: 'The FIFO queue the function sends to (set by the construct).',
  },
  quarantineQueueUrl: {
    type: 'text',
    env: 'QUARANTINE_QUEUE_URL',
    scope: 'function',
    doc: 'The queue that keeps signed callbacks whose fields this version cannot use (set by the construct); without it they are answered 503.',
  },
  secretArn: {
    type: 'text',
    env: 'CALLBACK_SECRET_ARN',
    scope: 'function',
    // Any secret ID: a construct user may import a secret by name, which gives a partial ARN.
    doc: 'The secret holding the CallbackSecret, read from Secrets Manager (set by the construct).',
  },
  callbackSecret: {
    type: 'text',
    env: 'CALLBACK_SECRET',
    scope: 'function',
    sensitive: true,
    doc: 'The CallbackSecret itself, or several separated by commas during a rotation: local runs and tests. Either this or `CALLBACK_SECRET_ARN` is required.',
  },
  replayTableName: {
    type: 'text',
    env: 'REPLAY_TABLE_NAME',
    scope: 'function',
    doc: "The replay guard's table (set by the construct with `replayGuard`); no guard when unset.",
  },
  sqsEndpoint: {
    type: 'text',
    env: 'AWS_ENDPOINT_URL_SQS',
    scope: 'function',
    doc: "The AWS SDK's own variable, read here too so that a test's environment object is enough: the local stack's SQS.",
  },
  dynamodbEndpoint: {
    type: 'text',
    env: 'AWS_ENDPOINT_URL_DYNAMODB',
    scope: 'function',
    doc: "As above, for the replay guard's table on the local stack.",
  },
} as const satisfies Record<string, Setting>;

export type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The names of the settings that have a CDK context key. */
export type ContextSettingName = {
  [N in SettingName]: Settings[N] extends { readonly context: string } ? N : never;
}[SettingName];
/** The names of the settings that are props of the given construct. */
export type PropSettingName<S extends SettingScope> = {
  [N in SettingName]: Settings[N] extends { readonly prop: string; readonly scope: S } ? N : never;
}[SettingName];

/** The value a setting holds once read. */
export type ValueOf<S> = S extends { readonly type: 'integer' }
  ? number
  : S extends { readonly type: 'boolean' }
    ? boolean
    : S extends { readonly type: 'choice'; readonly values: readonly (infer V)[] }
      ? V
      : S extends { readonly type: 'list'; readonly values: readonly (infer V)[] }
        ? readonly V[]
        : string;

/** A setting with a default always has a value; any other may be unset. */
export type ResolvedValue<S> = S extends { readonly default: unknown }
  ? ValueOf<S>
  : ValueOf<S> | undefined;

export type Reading<T> =
  | { readonly value: T; readonly problem?: undefined }
  | { readonly problem: string };

/** What a valid value of the setting is, in words. */
export function expectation(setting: Setting): string {
  switch (setting.type) {
    case 'integer':
      return setting.allowed
        ? `one of ${setting.allowed.join(', ')}`
        : `a whole number from ${setting.min} to ${setting.max}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${setting.values.join(', ')}`;
    case 'list':
      return `a list of one or more of ${setting.values.join(', ')}`;
    case 'text':
      return setting.expected ?? 'text';
  }
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Reads one setting from wherever it comes (context, environment, a construct prop): text as
 * typed on a command line, or a value already of its type (a JSON number in cdk.json, a prop).
 * Unset (undefined, null) gives the default. Blank text is a problem, whatever the type: an
 * unset CI variable (`-c zegoAppId=$APP_ID`) must not silently mean "any AppID" or a default.
 */
export function readSetting<S extends Setting>(
  setting: S,
  raw: unknown,
): Reading<ResolvedValue<S>> {
  const fallback = { value: setting.default } as Reading<ResolvedValue<S>>;
  if (raw === undefined || raw === null) return fallback;
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const refused = (): Reading<ResolvedValue<S>> => {
    const shown = setting.sensitive && text !== '' ? '' : `, got ${JSON.stringify(raw)}`;
    return { problem: `must be ${expectation(setting)}${shown}` };
  };
  const ok = (value: unknown) => ({ value }) as Reading<ResolvedValue<S>>;

  switch (setting.type) {
    case 'integer': {
      // Decimal digits only: Number() would also take 0x12c, 0b0, 1e3 and -0, so that a
      // tolerance of "0b0" would switch the time check off without the 0 the docs warn about.
      const value =
        typeof raw === 'number'
          ? raw
          : text !== undefined && /^[0-9]{1,16}$/.test(text)
            ? Number(text)
            : Number.NaN;
      const valid =
        Number.isSafeInteger(value) &&
        value >= setting.min &&
        value <= setting.max &&
        (setting.allowed === undefined || setting.allowed.includes(value));
      return valid ? ok(value) : refused();
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      const lower = text?.toLowerCase();
      return lower === 'true' ? ok(true) : lower === 'false' ? ok(false) : refused();
    }
    case 'choice': {
      const upper = text?.toUpperCase();
      const value = setting.values.find((v) => v.toUpperCase() === upper);
      return value === undefined ? refused() : ok(value);
    }
    case 'list': {
      const items = Array.isArray(raw)
        ? raw.map((item) => String(item).trim())
        : text === undefined
          ? undefined
          : splitList(text);
      // Empty is a problem too: `forwardEvents: []` would deploy a receiver that forwards nothing.
      const valid =
        items !== undefined &&
        items.length > 0 &&
        items.every((item) => (setting.values as readonly string[]).includes(item));
      return valid ? ok(items) : refused();
    }
    case 'text': {
      const value = typeof raw === 'number' ? String(raw) : text;
      if (value === undefined || value === '') return refused();
      return setting.pattern === undefined || setting.pattern.test(value) ? ok(value) : refused();
    }
  }
}

/** A setting's value as the construct writes it into the function's environment. */
export function formatSetting(value: string | number | boolean | readonly string[]): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Reads several settings at once, every problem reported, each under the caller's name for it. */
export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly nameOf: (setting: Setting, name: SettingName) => string) {}

  /** On a problem, records it and gives the default: the caller throws once all are read. */
  read<N extends SettingName>(name: N, raw: unknown): ResolvedValue<Settings[N]> {
    const setting: Setting = SETTINGS[name];
    const reading = readSetting(setting, raw);
    if (reading.problem === undefined) return reading.value as ResolvedValue<Settings[N]>;
    this.problems.push(`${this.nameOf(setting, name)} ${reading.problem}`);
    return setting.default as ResolvedValue<Settings[N]>;
  }
}
