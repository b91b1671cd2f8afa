import { readdirSync, readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { CURRENT_VERSION_EXPIRED_FLAGS, CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../lambda/adapters/config.js';
import { NotConfiguredError } from '../lambda/core/errors.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import {
  envName,
  namesWhere,
  readSettings,
  SETTINGS,
  type Setting,
  type SettingName,
} from '../lambda/settings.js';
import { InvalidPropsError } from '../lib/props.js';
import { ZegoCallbackMonitoring } from '../lib/zego-callback-monitoring.js';
import { ZegoCallbackReceiver } from '../lib/zego-callback-receiver.js';
import { InvalidContextError, readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { BLOCK_NAMES, docOf, generatedFiles } from '../scripts/docs.js';
import { apiEvent } from './support.js';

const source = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const NAMES = Object.keys(SETTINGS) as SettingName[];
const setting = (name: SettingName): Setting => SETTINGS[name];
const EXISTING_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zego/callback-secret-AbC123';
const CERTIFICATE =
  'arn:aws:acm:eu-west-1:123456789012:certificate/0f3a7c1e-1111-2222-3333-444455556666';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const FLAGS = (JSON.parse(source('cdk.json')) as { context: Record<string, unknown> }).context;

/** One setting read from one raw value, as context, environment and props read it. */
function readOne(name: SettingName, raw: unknown): { value: unknown } | { problem: string } {
  const { values, problems } = readSettings([name], () => raw);
  return problems[0] === undefined ? { value: values[name] } : { problem: problems[0] };
}
const problemOf = (name: SettingName, raw: unknown) => {
  const read = readOne(name, raw);
  return 'problem' in read ? read.problem : undefined;
};

describe('the settings table', () => {
  it('is what the generated sections say: tables, runbook alarms, props’ @default (npm run generate)', () => {
    const files = generatedFiles();
    for (const [file, text] of files) expect(source(file), file).toBe(text);
    // Each block stands in exactly one document.
    const docs = [...files.keys()].filter((file) => file.endsWith('.md')).map(source);
    for (const name of BLOCK_NAMES) {
      const count = docs.join('').split(`<!-- ${name}:start -->`).length - 1;
      expect(count, name).toBe(1);
    }
  });

  it('gives every setting one name: the context key, the prop, and the environment variable in SCREAMING_SNAKE_CASE', () => {
    expect(namesWhere({ env: true }).map(envName)).toEqual([
      'ZEGO_APP_ID',
      'FORWARD_EVENTS',
      'FORWARD_UNKNOWN_EVENTS',
      'SIGNATURE_TOLERANCE_SECONDS',
      'PREVIOUS_SECRET_HOURS',
      'LOG_LEVEL',
      'METRICS_NAMESPACE',
      'QUEUE_URL',
      'QUARANTINE_QUEUE_URL',
      'CALLBACK_SECRET_ID',
      'CALLBACK_SECRET',
      'REPLAY_TABLE_NAME',
      'AWS_ENDPOINT_URL_SQS',
      'AWS_ENDPOINT_URL_DYNAMODB',
    ]);
    // Every plain prop is the construct's, by the same name: the compiler checks the reverse.
    const receiverProps = source('lib/zego-callback-receiver.ts');
    for (const name of namesWhere({ prop: 'receiver' })) {
      expect(receiverProps, name).toMatch(new RegExp(`\\n  readonly ${name}\\?: `));
    }
  });

  it('gives every setting with a default a default it accepts itself', () => {
    for (const name of NAMES) {
      const { default: value } = setting(name);
      if (value !== undefined) expect(readOne(name, value), name).toEqual({ value });
    }
  });

  it('allows exactly the retention periods CloudWatch Logs offers', () => {
    const cloudWatch = Object.values(RetentionDays).filter((v) => typeof v === 'number');
    expect(setting('logRetentionDays').expected).toBe(
      `one of ${cloudWatch.sort((a, b) => a - b).join(', ')}`,
    );
  });

  it('leaves its docs out of the function’s bundle, and aws-cdk-lib out of its imports', async () => {
    const result = await build({
      entryPoints: [new URL('../lambda/entry.ts', import.meta.url).pathname],
      bundle: true,
      minify: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const bundle = result.outputFiles[0]?.text ?? '';
    expect(Object.keys(result.metafile.inputs)).toContain('lambda/settings.ts');
    expect(Object.keys(result.metafile.inputs).filter((p) => p.includes('aws-cdk-lib'))).toEqual(
      [],
    );
    for (const name of NAMES) {
      // Distinctive enough: the first 30 characters of its doc.
      expect(bundle, name).not.toContain(docOf(name).text.slice(0, 30));
    }
    expect(bundle).toContain(setting('zegoAppId').expected);
  });
});

describe('no arrow runs back up', () => {
  const importsOf = (dir: string) =>
    readdirSync(new URL(`../${dir}/`, import.meta.url), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) =>
        [...source(`${dir}/${file}`).matchAll(/from '([^']+)'/g)].map((m) => `${file} ${m[1]}`),
      );

  it('the function imports neither lib/ nor local/, lib/ none of its adapters, local/ no lib/', () => {
    expect(importsOf('lambda').filter((i) => /\.\.\/(lib|local)\//.test(i))).toEqual([]);
    expect(importsOf('lib').filter((i) => i.includes('lambda/adapters/'))).toEqual([]);
    expect(importsOf('local').filter((i) => i.includes('../lib/'))).toEqual([]);
  });
});

describe('reading one setting', () => {
  it.each<[SettingName, unknown, unknown]>([
    ['signatureToleranceSeconds', undefined, SETTINGS.signatureToleranceSeconds.default],
    ['signatureToleranceSeconds', ' 60 ', 60],
    ['signatureToleranceSeconds', 0, 0],
    ['forwardUnknownEvents', 'TRUE', true],
    ['forwardUnknownEvents', false, false],
    ['logLevel', 'debug', 'DEBUG'],
    ['forwardEvents', 'call_reject, call_cancel', ['call_reject', 'call_cancel']],
    ['forwardEvents', ['call_accept'], ['call_accept']],
    ['zegoAppId', 1234567890, '1234567890'],
    ['logRetentionDays', '9999', 9999],
  ])('reads %s from %j as %j', (name, raw, value) => {
    expect(readOne(name, raw)).toEqual({ value });
  });

  it.each<[SettingName, unknown, string]>([
    ['signatureToleranceSeconds', '-1', 'a whole number from 0 to 86400, got "-1"'],
    ['signatureToleranceSeconds', 1.5, 'a whole number from 0 to 86400, got 1.5'],
    ['signatureToleranceSeconds', '5 min', 'a whole number'],
    // Spellings Number() would take: a check of 0 written without the 0 the docs warn about.
    ['signatureToleranceSeconds', '0b0', 'a whole number'],
    ['signatureToleranceSeconds', '0x12c', 'a whole number'],
    ['signatureToleranceSeconds', ['60'], 'a whole number'],
    ['memorySize', '1e3', 'a whole number'],
    ['forwardUnknownEvents', 'yes', 'true or false'],
    ['forwardUnknownEvents', ['true'], 'true or false'],
    ['logLevel', 'TRACE', 'one of DEBUG, INFO, WARN, ERROR'],
    ['logLevel', ['INFO'], 'one of DEBUG, INFO, WARN, ERROR'],
    ['forwardEvents', '', 'one or more of call_create'],
    ['forwardEvents', [], 'got []'],
    ['forwardEvents', 'call_reject,call_rejected', 'one or more of'],
    ['zegoAppId', 'my-app', 'zegoAppId must be the numeric ZEGOCLOUD AppID, got "my-app"'],
    ['zegoAppId', ' ', 'the numeric ZEGOCLOUD AppID, got " "'],
    ['signatureToleranceSeconds', '', 'a whole number from 0 to 86400, got ""'],
    ['forwardUnknownEvents', '', 'true or false, got ""'],
    ['logLevel', '', 'one of DEBUG, INFO, WARN, ERROR, got ""'],
    ['logRetentionDays', 2, 'one of 1, 3, 5'],
  ])('refuses %s = %j: must be %s', (name, raw, expected) => {
    expect(problemOf(name, raw)).toContain(expected);
  });

  it('never repeats a sensitive value in its message, but shows a blank one', () => {
    expect(setting('callbackSecret').sensitive).toBe(true);
    const { problems } = readSettings(['callbackSecret', 'zegoAppId'], (name) =>
      name === 'callbackSecret' ? { not: 'text' } : ' ',
    );
    expect(problems).toEqual([
      'callbackSecret must be non-blank text',
      'zegoAppId must be the numeric ZEGOCLOUD AppID, got " "',
    ]);
    expect(problemOf('callbackSecret', '  ')).toBe(
      'callbackSecret must be non-blank text, got "  "',
    );
  });
});

/** Each setting the function reads, by name, as the table's default. */
const defaults = Object.fromEntries(namesWhere({ env: true }).map((n) => [n, setting(n).default]));

describe('the function’s environment reader', () => {
  const base = { QUEUE_URL: 'https://sqs/q.fifo', CALLBACK_SECRET: 's' };

  it('fills in the table’s defaults and reads the quarantine queue when set', () => {
    expect(readConfig(base)).toEqual({
      ...defaults,
      queueUrl: 'https://sqs/q.fifo',
      callbackSecret: 's',
      secret: { kind: 'inline', secrets: ['s'] },
      policy: {
        toleranceSeconds: SETTINGS.signatureToleranceSeconds.default,
        appId: undefined,
        forwardEvents: new Set(SETTINGS.forwardEvents.default),
        forwardUnknownEvents: SETTINGS.forwardUnknownEvents.default,
      },
    });
    expect(readConfig({ ...base, QUARANTINE_QUEUE_URL: 'https://sqs/quarantine' })).toMatchObject({
      quarantineQueueUrl: 'https://sqs/quarantine',
    });
  });

  it('reports every problem at once, each naming its variable, and no secret', () => {
    const read = () =>
      readConfig({
        CALLBACK_SECRET: 'hunter2',
        SIGNATURE_TOLERANCE_SECONDS: '-5',
        FORWARD_EVENTS: 'call_rejected',
        LOG_LEVEL: 'chatty',
        ZEGO_APP_ID: 'abc',
      });
    expect(read).toThrow(
      new NotConfiguredError(
        `invalid configuration: ${[
          'ZEGO_APP_ID must be the numeric ZEGOCLOUD AppID, got "abc"',
          `FORWARD_EVENTS must be ${setting('forwardEvents').expected}, got "call_rejected"`,
          'SIGNATURE_TOLERANCE_SECONDS must be a whole number from 0 to 86400, got "-5"',
          'LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "chatty"',
          'QUEUE_URL is required',
        ].join('; ')}`,
      ),
    );
  });

  it('needs the secret, inline or in Secrets Manager', () => {
    expect(() => readConfig({ QUEUE_URL: 'https://sqs/q.fifo' })).toThrow(
      new NotConfiguredError(
        'invalid configuration: CALLBACK_SECRET or CALLBACK_SECRET_ID is required',
      ),
    );
  });
});

describe('a key that is no prop, as a JavaScript app can pass one', () => {
  it('fails synth, naming the prop it resembles, for the receiver and the monitoring', () => {
    // What the compiler stops in TypeScript: the receiver would have no AppID check, no guard.
    const misspelt = { zegoAppID: '1234567890', replayguard: true, appId: '1' };
    expect(() => new ZegoCallbackReceiver(new Stack(), 'R', misspelt as object)).toThrow(
      new InvalidPropsError('ZegoCallbackReceiver', [
        'zegoAppID is not a prop: did you mean zegoAppId?',
        'replayguard is not a prop: did you mean replayGuard?',
        'appId is not a prop',
      ]),
    );
    const stack = new Stack();
    const receiver = new ZegoCallbackReceiver(stack, 'R');
    const props = { receiver, alarmemail: 'ops@example.com' };
    expect(() => new ZegoCallbackMonitoring(stack, 'M', props as never)).toThrow(
      new InvalidPropsError('ZegoCallbackMonitoring', [
        'alarmemail is not a prop: did you mean alarmEmail?',
      ]),
    );
  });

  it('accepts every prop the constructs declare, constructs included', () => {
    const stack = new Stack();
    const queue = new Queue(stack, 'Q', { fifo: true });
    const receiver = new ZegoCallbackReceiver(stack, 'R', { queue, zegoAppId: '1' });
    expect(receiver.queue).toBe(queue);
    expect(() => new ZegoCallbackMonitoring(stack, 'M', { receiver })).not.toThrow();
  });
});

describe('a blank value, as an unset CI variable gives', () => {
  const blank = (name: SettingName) => `must be ${setting(name).expected}, got ""`;

  it('fails synth as a context key, for every key', () => {
    for (const key of namesWhere({ context: true })) {
      const read = () => readContext(new App({ context: { [key]: '' } }));
      expect(read, key).toThrow(new InvalidContextError([`${key} ${blank(key)}`]));
    }
  });

  it('fails synth as a prop of the receiver or the monitoring, for every plain prop', () => {
    for (const name of namesWhere({ prop: 'receiver' })) {
      expect(() => new ZegoCallbackReceiver(new Stack(), 'R', { [name]: '' }), name).toThrow(
        new InvalidPropsError('ZegoCallbackReceiver', [`${name} ${blank(name)}`]),
      );
    }
    for (const name of namesWhere({ prop: 'monitoring' })) {
      const stack = new Stack();
      const receiver = new ZegoCallbackReceiver(stack, 'R');
      expect(() => new ZegoCallbackMonitoring(stack, 'M', { receiver, [name]: '' }), name).toThrow(
        new InvalidPropsError('ZegoCallbackMonitoring', [`${name} ${blank(name)}`]),
      );
    }
  });

  it('is a problem naming the variable in the function’s environment, for every variable', () => {
    const base = { QUEUE_URL: 'https://sqs/q.fifo', CALLBACK_SECRET: 's' };
    for (const name of namesWhere({ env: true })) {
      const read = () => readConfig({ ...base, [envName(name)]: '' });
      // Blanking one of the two required ones also says what is missing.
      const missing =
        name === 'queueUrl'
          ? '; QUEUE_URL is required'
          : name === 'callbackSecret'
            ? '; CALLBACK_SECRET or CALLBACK_SECRET_ID is required'
            : '';
      expect(read, name).toThrow(
        new NotConfiguredError(`invalid configuration: ${envName(name)} ${blank(name)}${missing}`),
      );
    }
  });

  it('answers every callback 503 not_configured', async () => {
    const handler = createHandlerFromEnvironment({
      QUEUE_URL: 'https://sqs/q.fifo',
      CALLBACK_SECRET: 's',
      ZEGO_APP_ID: '',
    });
    const result = await handler(
      apiEvent({ body: signCallback(callRejectFields(), { secret: 's' }).body }),
    );
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: 'not_configured',
      message: 'temporarily unavailable; retry later',
    });
  });
});

describe('every CDK context key', () => {
  /** The stack as `cdk synth` builds it (bin/app.ts), its bundles skipped: only wiring is read. */
  function synthesize(context: Record<string, string>): string {
    const app = new App({ context: { ...FLAGS, 'aws:cdk:bundling-stacks': [], ...context } });
    const settings = readContext(app);
    const stack = new ZegoCallbackStack(app, settings.stackName, { settings });
    return JSON.stringify(Template.fromStack(stack).toJSON());
  }
  const domain = { domainName: 'callbacks.example.com', certificateArn: CERTIFICATE };
  const zone = { ...domain, hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com' };
  /** Each key with a value other than its default, what it needs beside it, and what then shows. */
  const CHANGES: Record<string, [value: string, beside?: Record<string, string>, shows?: string]> =
    {
      zegoAppId: ['1234567890', {}, '"ZEGO_APP_ID":"1234567890"'],
      forwardEvents: ['call_cancel', {}, '"FORWARD_EVENTS":"call_cancel"'],
      forwardUnknownEvents: ['true', {}, '"FORWARD_UNKNOWN_EVENTS":"true"'],
      signatureToleranceSeconds: ['61', {}, '"SIGNATURE_TOLERANCE_SECONDS":"61"'],
      previousSecretHours: ['37', {}, '"PREVIOUS_SECRET_HOURS":"37"'],
      logLevel: ['WARN', {}, '"LOG_LEVEL":"WARN"'],
      replayGuard: ['true', {}, 'REPLAY_TABLE_NAME'],
      tracing: ['true', {}, '"TracingConfig":{"Mode":"Active"}'],
      logRetentionDays: ['545', {}, '"RetentionInDays":545'],
      throttleRateLimit: ['4321', {}, '"ThrottlingRateLimit":4321'],
      throttleBurstLimit: ['8765', {}, '"ThrottlingBurstLimit":8765'],
      memorySize: ['1536', {}, '"MemorySize":1536'],
      domainName: ['other.example.com', domain, '"DomainName":"other.example.com"'],
      keepExecuteApiEndpoint: ['true', domain, '"DisableExecuteApiEndpoint":false'],
      alarmEmail: ['ops@example.com', {}, '"Endpoint":"ops@example.com"'],
      noCallbacksAlarmMinutes: ['45', {}, '"Period":2700'],
      oldestMessageAlarmSeconds: ['611', {}, '"Threshold":611'],
      callbackSecretArn: [EXISTING_SECRET, {}, `"CALLBACK_SECRET_ID":"${EXISTING_SECRET}"`],
      encryptionKeyArn: [KEY, {}, `"KmsMasterKeyId":"${KEY}"`],
      certificateArn: [`${CERTIFICATE}7`, domain, `"CertificateArn":"${CERTIFICATE}7"`],
      hostedZoneId: ['Z0123456789XYZ', zone, '"HostedZoneId":"Z0123456789XYZ"'],
      // The zone's name is not in the template: it decides whether the domain is in the zone.
      hostedZoneName: ['example.org', zone],
      referenceConsumer: ['true', {}, '"IDEMPOTENCY_TABLE_NAME"'],
      stackName: ['Renamed', {}, '"METRICS_NAMESPACE":"ZegoCallbacks/Renamed/Receiver"'],
    };

  it('has a change to try here', () => {
    expect(Object.keys(CHANGES).sort()).toEqual([...namesWhere({ context: true })].sort());
  });

  it.each(Object.entries(CHANGES))('reaches the synthesized template: %s', (key, change) => {
    const [value, beside = {}, shows] = change;
    if (shows === undefined) {
      expect(() => synthesize({ ...beside, [key]: value })).toThrow(
        `domainName "callbacks.example.com" is not in the zone "${value}"`,
      );
      return;
    }
    const before = synthesize(beside);
    const after = synthesize({ ...beside, [key]: value });
    expect(before).not.toContain(shows);
    expect(after).toContain(shows);
  });
});

describe('the construct and the function', () => {
  it('agree: what the construct writes by default, the function reads as the table’s defaults', () => {
    const stack = new Stack(new App(), 'Agree');
    new ZegoCallbackReceiver(stack, 'Receiver');
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
    const env = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `token-${k}`]),
    );
    expect(readConfig(env)).toEqual({
      ...defaults,
      queueUrl: 'token-QUEUE_URL',
      quarantineQueueUrl: 'token-QUARANTINE_QUEUE_URL',
      callbackSecretId: 'token-CALLBACK_SECRET_ID',
      secret: {
        kind: 'secrets-manager',
        secretId: 'token-CALLBACK_SECRET_ID',
        previousSecretHours: SETTINGS.previousSecretHours.default,
      },
      metricsNamespace: 'ZegoCallbacks/Agree/Receiver',
      policy: {
        toleranceSeconds: SETTINGS.signatureToleranceSeconds.default,
        appId: undefined,
        forwardEvents: new Set(SETTINGS.forwardEvents.default),
        forwardUnknownEvents: SETTINGS.forwardUnknownEvents.default,
      },
    });
    // Every setting the function reads with a default is written, so that none is left to chance.
    for (const name of namesWhere({ prop: 'receiver', env: true })) {
      if (setting(name).default !== undefined) expect(Object.keys(env)).toContain(envName(name));
    }
  });
});

describe('cdk.json', () => {
  const isFlag = (key: string) => key.startsWith('@aws-cdk') || key.startsWith('aws-cdk:');

  it('sets every feature flag `cdk init` recommends for the aws-cdk-lib in use (update cdk.json after an upgrade)', () => {
    const missingOrDifferent = Object.entries(CURRENTLY_RECOMMENDED_FLAGS).filter(
      ([key, value]) => JSON.stringify(FLAGS[key]) !== JSON.stringify(value),
    );
    expect(Object.fromEntries(missingOrDifferent)).toEqual({});
  });

  it('sets no flag beyond them: none expired (v1-only) and none unknown', () => {
    const extra = Object.keys(FLAGS).filter(
      (key) => isFlag(key) && !(key in CURRENTLY_RECOMMENDED_FLAGS),
    );
    expect(extra).toEqual([]);
    expect(Object.keys(FLAGS).filter((key) => CURRENT_VERSION_EXPIRED_FLAGS.includes(key))).toEqual(
      [],
    );
  });

  it('holds no context key the settings table does not know', () => {
    const known = new Set<string>(namesWhere({ context: true }));
    expect(Object.keys(FLAGS).filter((key) => !isFlag(key) && !known.has(key))).toEqual([]);
  });
});
