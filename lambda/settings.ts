import { CALL_EVENTS } from './core/callback.js';

/** Every setting once, under one name: context key, prop and, in SCREAMING_SNAKE_CASE, environment
 * variable; a context key ending in Arn or Id is an object prop of the stack. Rules and defaults
 * only, so that the bundle carries no docs: a setting's doc is its prop's TSDoc or its entry's. */

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a secret created by the stack holds until the operator puts ZEGOCLOUD's value in it. */
export const UNSET_SECRET_PLACEHOLDER = 'REPLACE_ME_WITH_THE_ZEGOCLOUD_CALLBACK_SECRET';

/** CloudWatch Logs retention periods in days (9999 keeps logs forever). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653, 9999,
] as const;

/** Where a setting is read: CDK context, a construct's props, the function's environment. */
export interface Where {
  readonly context?: true;
  readonly prop?: 'receiver' | 'monitoring';
  readonly env?: true;
  /** Never repeated in an error message. */
  readonly sensitive?: true;
}

export interface Setting<T = unknown> extends Where {
  /** What a valid value is, in words: error messages and docs. */
  readonly expected: string;
  readonly default?: T;
  /** Trimmed text (context, environment) or a value of its type (cdk.json, a prop) to its value; undefined: refused. */
  readonly parse: (raw: unknown) => T | undefined;
}

// The kinds of setting: an entry is where it is read, its default if any, and one of these.
const integer = (min: number, max: number, allowed?: readonly number[]) => ({
  expected: allowed ? `one of ${allowed.join(', ')}` : `a whole number from ${min} to ${max}`,
  parse: (raw: unknown): number | undefined => {
    // Decimal digits only: Number() also takes 0x12c, 0b0 and 1e3 ("0b0": a time check off unseen).
    const digits = typeof raw === 'string' && /^[0-9]{1,16}$/.test(raw);
    const value = typeof raw === 'number' ? raw : digits ? Number(raw) : Number.NaN;
    const valid = Number.isSafeInteger(value) && value >= min && value <= max;
    return valid && (allowed?.includes(value) ?? true) ? value : undefined;
  },
});

const BOOLEAN = {
  expected: 'true or false',
  parse: (raw: unknown): boolean | undefined => {
    const text = typeof raw === 'string' ? raw.toLowerCase() : raw;
    if (text === true || text === 'true') return true;
    return text === false || text === 'false' ? false : undefined;
  },
};

const choice = <V extends string>(values: readonly V[]) => ({
  expected: `one of ${values.join(', ')}`,
  parse: (raw: unknown): V | undefined =>
    values.find((value) => typeof raw === 'string' && value.toUpperCase() === raw.toUpperCase()),
});

const list = <V extends string>(values: readonly V[]) => ({
  expected: `a list of one or more of ${values.join(', ')}`,
  parse: (raw: unknown): readonly V[] | undefined => {
    const items = Array.isArray(raw) ? raw.map((item) => String(item).trim()) : undefined;
    const given = items ?? (typeof raw === 'string' ? splitList(raw) : []);
    // Empty is refused too: `forwardEvents: []` would deploy a receiver that forwards nothing.
    const known = (item: string): item is V => (values as readonly string[]).includes(item);
    return given.length > 0 && given.every(known) ? given : undefined;
  },
});

const text = (expected: string, pattern?: RegExp) => ({
  expected,
  parse: (raw: unknown): string | undefined => {
    const value = typeof raw === 'number' ? String(raw) : raw;
    const valid = typeof value === 'string' && value !== '' && (pattern?.test(value) ?? true);
    return valid ? value : undefined;
  },
});

/** Read by the function and set, through the construct's props, from CDK context. */
const FUNCTION = { context: true, prop: 'receiver', env: true } as const;
const RECEIVER = { context: true, prop: 'receiver' } as const;
const MONITORING = { context: true, prop: 'monitoring' } as const;
const STACK = { context: true } as const;
/** Set by the construct (or a local run, a test). */
const WIRING = { env: true, ...text('non-blank text') } as const;

export const SETTINGS = {
  zegoAppId: { ...FUNCTION, ...text('the numeric ZEGOCLOUD AppID', /^[0-9]{1,15}$/) },
  forwardEvents: { ...FUNCTION, default: ['call_reject'], ...list(CALL_EVENTS) },
  forwardUnknownEvents: { ...FUNCTION, default: false, ...BOOLEAN },
  signatureToleranceSeconds: { ...FUNCTION, default: 300, ...integer(0, 86_400) },
  previousSecretHours: { ...FUNCTION, default: 24, ...integer(0, 720) },
  logLevel: { ...FUNCTION, default: 'INFO', ...choice(LOG_LEVELS) },
  metricsNamespace: {
    prop: 'receiver',
    env: true,
    ...text('a CloudWatch namespace', /^[A-Za-z0-9 .\-_/#:]{1,255}$/),
  },
  replayGuard: { ...RECEIVER, default: false, ...BOOLEAN },
  tracing: { ...RECEIVER, default: false, ...BOOLEAN },
  logRetentionDays: { ...RECEIVER, default: 30, ...integer(1, 9999, LOG_RETENTION_DAYS) },
  throttleRateLimit: { ...RECEIVER, default: 100, ...integer(1, 1_000_000) },
  throttleBurstLimit: { ...RECEIVER, default: 200, ...integer(1, 1_000_000) },
  memorySize: { ...RECEIVER, default: 512, ...integer(128, 10_240) },
  routePath: {
    prop: 'receiver',
    default: '/zego/callback',
    ...text('a path starting with /', /^\/[A-Za-z0-9._~/-]*$/),
  },
  domainName: {
    ...RECEIVER,
    ...text(
      'a lower-case host name such as callbacks.example.com',
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    ),
  },
  keepExecuteApiEndpoint: { ...RECEIVER, default: false, ...BOOLEAN },
  alarmEmail: { ...MONITORING, ...text('an e-mail address', /^[^@\s]+@[^@\s]+\.[^@\s]+$/) },
  noCallbacksAlarmMinutes: { ...MONITORING, default: 0, ...integer(0, 1440) },
  oldestMessageAlarmSeconds: { ...MONITORING, default: 900, ...integer(60, 1_209_600) },
  /** An existing plain-string secret holding the ZEGOCLOUD CallbackSecret (prop `callbackSecret`).
   * @default - a new secret, holding a placeholder (503) until you put the value */
  callbackSecretArn: {
    ...STACK,
    ...text(
      'a complete Secrets Manager secret ARN (ending in -XXXXXX)',
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    ),
  },
  /** A customer-managed KMS key for all the stack encrypts (prop `encryptionKey`); its key policy
   * must let CloudWatch Logs and alarms use it (docs/operations.md, Encryption). @default - AWS-managed keys */
  encryptionKeyArn: {
    ...STACK,
    ...text(
      'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/,
    ),
  },
  /** ACM certificate for `domainName`, in the stack's region (the prop `certificate`). */
  certificateArn: {
    ...STACK,
    ...text(
      'an ACM certificate ARN, in the region of the stack',
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+$/,
    ),
  },
  /** Route 53 zone for the alias record of `domainName`; with `hostedZoneName`, prop `hostedZone`.
   * @default - none: add the DNS record yourself */
  hostedZoneId: { ...STACK, ...text('a Route 53 hosted zone ID', /^Z[A-Z0-9]{1,31}$/) },
  /** Name of the `hostedZoneId` zone. */
  hostedZoneName: {
    ...STACK,
    ...text(
      'the zone name, such as example.com or, as Route 53 spells it, example.com.',
      /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/,
    ),
  },
  /** Deploy the reference consumer Lambda (lambda/consumer.ts) on the queue. */
  referenceConsumer: { ...STACK, default: false, ...BOOLEAN },
  /** Name of the CloudFormation stack. */
  stackName: {
    ...STACK,
    default: 'ZegoCallbackStack',
    ...text('a CloudFormation stack name', /^[A-Za-z][A-Za-z0-9-]{0,127}$/),
  },
  /** The FIFO queue the function sends to. @default - required */
  queueUrl: WIRING,
  /** The queue that keeps signed callbacks whose fields this version cannot use; without it they are answered 503. */
  quarantineQueueUrl: WIRING,
  /** The secret holding the CallbackSecret, read from Secrets Manager: any secret ID, a name or a partial ARN included (a secret imported by name). */
  callbackSecretId: WIRING,
  /** The CallbackSecret itself, or several separated by commas during a rotation: local runs and tests. Either this or `CALLBACK_SECRET_ID` is required. */
  callbackSecret: { ...WIRING, sensitive: true },
  /** The replay guard's table (with `replayGuard`); no guard when unset. */
  replayTableName: WIRING,
  /** The AWS SDK's own variable, read here too so that a test's environment object is enough: the local stack's SQS. */
  awsEndpointUrlSqs: WIRING,
  /** As above, for the replay guard's table on the local stack. */
  awsEndpointUrlDynamodb: WIRING,
} as const satisfies Record<string, Setting>;

export type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
type DefaultOf<S> = S extends { readonly default: infer D } ? D : undefined;
export type Value<N extends SettingName> =
  | DefaultOf<Settings[N]>
  | NonNullable<ReturnType<Settings[N]['parse']>>;
export type Values<N extends SettingName> = { readonly [K in N]: Value<K> };
/** The names of the settings read where `W` says. */
export type NamesWhere<W> = { [N in SettingName]: Settings[N] extends W ? N : never }[SettingName];

export function namesWhere<const W extends Where>(where: W): NamesWhere<W>[] {
  return (Object.keys(SETTINGS) as SettingName[]).filter((name) => {
    const setting: Where = SETTINGS[name];
    return Object.entries(where).every(([key, value]) => setting[key as keyof Where] === value);
  }) as NamesWhere<W>[];
}

/** A setting's environment variable: its name in SCREAMING_SNAKE_CASE. */
export const envName = (name: string): string => name.replace(/[A-Z]/g, '_$&').toUpperCase();

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Reads settings, each problem under `label`; unset or refused gives the default, so that every problem is
 * reported at once. Blank is a problem: an unset CI variable (`-c zegoAppId=$APP_ID`) must not mean "any AppID". */
export function readSettings<N extends SettingName>(
  names: readonly N[],
  rawOf: (name: N) => unknown,
  label: (name: N) => string = (name) => name,
  /** Values taken as they are: CDK tokens, known at deploy time only. */
  asIs: (raw: unknown) => boolean = () => false,
): { values: Values<N>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of names) {
    const setting: Setting = SETTINGS[name];
    const raw = rawOf(name);
    if (raw === undefined || raw === null || asIs(raw)) {
      values[name] = raw ?? setting.default;
      continue;
    }
    values[name] = setting.parse(typeof raw === 'string' ? raw.trim() : raw);
    if (values[name] === undefined) {
      const blank = typeof raw === 'string' && raw.trim() === '';
      const shown = setting.sensitive && !blank ? '' : `, got ${JSON.stringify(raw)}`;
      problems.push(`${label(name)} must be ${setting.expected}${shown}`);
      values[name] = setting.default;
    }
  }
  return { values: values as Values<N>, problems };
}
