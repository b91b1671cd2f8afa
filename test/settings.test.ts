import { readdirSync, readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CURRENT_VERSION_EXPIRED_FLAGS, CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  expectation,
  readSetting,
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  type SettingName,
} from '../config/settings.js';
import { readConfig } from '../lambda/adapters/config.js';
import { NotConfiguredError } from '../lambda/core/errors.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { InvalidContextError, readStackSettings } from '../lib/context.js';
import { InvalidPropsError } from '../lib/props.js';
import { ZegoCallbackReceiver } from '../lib/zego-callback-receiver.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import {
  renderSettingsBlocks,
  SETTINGS_DOCUMENTS,
  settingsBlocksIn,
  withSettingsBlocks,
} from '../scripts/settings-readme.js';
import { apiEvent } from './support.js';

const source = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const all = SETTING_NAMES.map((name): [SettingName, Setting] => [name, SETTINGS[name]]);

describe('the settings table', () => {
  it('is what the configuration tables of README and docs say (npm run readme rewrites them)', () => {
    const shown: string[] = [];
    for (const path of SETTINGS_DOCUMENTS) {
      const text = readFileSync(path, 'utf8');
      expect(text, path).toBe(withSettingsBlocks(text));
      shown.push(...settingsBlocksIn(text));
    }
    // Each table stands in exactly one place.
    expect(shown.sort()).toEqual(Object.keys(renderSettingsBlocks()).sort());
  });

  it('names each context key, environment variable and prop once', () => {
    for (const field of ['context', 'env', 'prop'] as const) {
      const names = all.map(([, s]) => s[field]).filter((n) => n !== undefined);
      expect(new Set(names).size, field).toBe(names.length);
    }
  });

  it('gives every setting with a default a default it accepts itself', () => {
    for (const [name, setting] of all) {
      if (setting.default === undefined) continue;
      expect(readSetting(setting, setting.default), name).toEqual({ value: setting.default });
    }
  });

  it('allows exactly the retention periods CloudWatch Logs offers', () => {
    const cloudWatch = Object.values(RetentionDays).filter((v) => typeof v === 'number');
    expect([...SETTINGS.logRetentionDays.allowed].sort((a, b) => a - b)).toEqual(
      cloudWatch.sort((a, b) => a - b),
    );
  });

  it('pulls neither aws-cdk-lib nor the AWS SDK into the function through the env reader', async () => {
    const result = await build({
      entryPoints: [new URL('../lambda/adapters/config.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.includes('node_modules'))).toEqual([]);
    expect(inputs).toContain('config/settings.ts');
  });

  it('keeps lib/ off the function’s adapters, and the table off everything but the event list', () => {
    for (const file of readdirSync(new URL('../lib/', import.meta.url))) {
      expect(source(`lib/${file}`), file).not.toMatch(/from '\.\.\/lambda\/adapters\//);
    }
    const imports = source('config/settings.ts').match(/^import .*$/gm);
    expect(imports).toEqual(["import { CALL_EVENTS } from '../lambda/core/callback.js';"]);
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
    ['appId', 1234567890, '1234567890'],
    ['logRetentionDays', '9999', 9999],
  ])('reads %s from %j as %j', (name, raw, value) => {
    expect(readSetting(SETTINGS[name], raw)).toEqual({ value });
  });

  it.each<[SettingName, unknown, string]>([
    ['signatureToleranceSeconds', '-1', 'a whole number from 0 to 86400, got "-1"'],
    ['signatureToleranceSeconds', 1.5, 'a whole number from 0 to 86400, got 1.5'],
    ['signatureToleranceSeconds', '5 min', 'a whole number'],
    // Spellings Number() would take: a check of 0 written without the 0 the docs warn about.
    ['signatureToleranceSeconds', '0b0', 'a whole number'],
    ['signatureToleranceSeconds', '0x12c', 'a whole number'],
    ['memorySize', '1e3', 'a whole number'],
    ['forwardUnknownEvents', 'yes', 'true or false'],
    ['logLevel', 'TRACE', 'one of DEBUG, INFO, WARN, ERROR'],
    ['forwardEvents', '', 'one or more of call_create'],
    ['forwardEvents', [], 'got []'],
    ['forwardEvents', 'call_reject,call_rejected', 'one or more of'],
    ['appId', 'my-app', 'the numeric ZEGOCLOUD AppID'],
    ['appId', ' ', 'the numeric ZEGOCLOUD AppID, got " "'],
    ['signatureToleranceSeconds', '', 'a whole number from 0 to 86400, got ""'],
    ['forwardUnknownEvents', '', 'true or false, got ""'],
    ['logLevel', '', 'one of DEBUG, INFO, WARN, ERROR, got ""'],
    ['logRetentionDays', 2, 'one of 1, 3, 5'],
  ])('refuses %s = %j: must be %s', (name, raw, expected) => {
    expect(readSetting(SETTINGS[name], raw).problem).toContain(expected);
  });

  it('never repeats a sensitive value in its message', () => {
    const secret = { ...SETTINGS.callbackSecret, pattern: /^x$/ };
    expect(readSetting(secret, 'hunter2').problem).not.toContain('hunter2');
  });
});

describe('the function’s environment reader', () => {
  const base = { QUEUE_URL: 'https://sqs/q.fifo', CALLBACK_SECRET: 's' };

  it('fills in the table’s defaults and reads the quarantine queue when set', () => {
    expect(readConfig(base)).toMatchObject({
      logLevel: SETTINGS.logLevel.default,
      metricsNamespace: SETTINGS.metricsNamespace.default,
      quarantineQueueUrl: undefined,
      policy: {
        toleranceSeconds: SETTINGS.signatureToleranceSeconds.default,
        forwardEvents: new Set(SETTINGS.forwardEvents.default),
        forwardUnknownEvents: false,
        appId: undefined,
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
    expect(read).toThrow(NotConfiguredError);
    let message = '';
    try {
      read();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of [
      'QUEUE_URL',
      'SIGNATURE_TOLERANCE_SECONDS',
      'FORWARD_EVENTS',
      'LOG_LEVEL',
      'ZEGO_APP_ID',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('hunter2');
  });
});

describe('a blank value, as an unset CI variable gives', () => {
  const blank = (setting: Setting) => `must be ${expectation(setting)}, got ""`;

  it('fails synth as a context key, for every key', () => {
    expect(() => readStackSettings((key) => (key === 'zegoAppId' ? '' : undefined))).toThrow(
      new InvalidContextError(['zegoAppId must be the numeric ZEGOCLOUD AppID, got ""']),
    );
    for (const [, setting] of all) {
      if (setting.context === undefined) continue;
      const read = () => readStackSettings((key) => (key === setting.context ? '' : undefined));
      expect(read).toThrow(`Invalid CDK context:\n  - ${setting.context} ${blank(setting)}`);
    }
  });

  it('fails synth as a prop of the receiver, for every plain prop', () => {
    expect(() => new ZegoCallbackReceiver(new Stack(), 'R', { appId: '' })).toThrow(
      new InvalidPropsError('ZegoCallbackReceiver', [
        'appId must be the numeric ZEGOCLOUD AppID, got ""',
      ]),
    );
    for (const [, setting] of all) {
      if (setting.scope !== 'receiver' || setting.prop === undefined) continue;
      const props = setting.prop
        .split('.')
        .reduceRight<unknown>((value, key) => ({ [key]: value }), '') as object;
      expect(() => new ZegoCallbackReceiver(new Stack(), 'R', props)).toThrow(
        `Invalid ZegoCallbackReceiver props:\n  - ${setting.prop} ${blank(setting)}`,
      );
    }
  });

  it('is a problem naming the variable in the function’s environment, for every variable', () => {
    const base = { QUEUE_URL: 'https://sqs/q.fifo', CALLBACK_SECRET: 's' };
    expect(() => readConfig({ ...base, ZEGO_APP_ID: '' })).toThrow(
      new NotConfiguredError(
        'invalid configuration: ZEGO_APP_ID must be the numeric ZEGOCLOUD AppID, got ""',
      ),
    );
    for (const [, setting] of all) {
      if (setting.env === undefined) continue;
      const read = () => readConfig({ ...base, [setting.env as string]: '' });
      expect(read, setting.env).toThrow(`${setting.env} ${blank(setting)}`);
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

describe('the construct and the function', () => {
  it('agree: what the construct writes by default, the function reads as the table’s defaults', () => {
    const stack = new Stack(new App(), 'Agree');
    new ZegoCallbackReceiver(stack, 'Receiver');
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
    const env = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `token-${k}`]),
    );
    for (const [, setting] of all) {
      if (setting.scope === 'receiver' && setting.env && setting.default !== undefined) {
        expect(Object.keys(env)).toContain(setting.env);
      }
    }
    expect(readConfig(env)).toMatchObject({
      queueUrl: 'token-QUEUE_URL',
      quarantineQueueUrl: 'token-QUARANTINE_QUEUE_URL',
      secret: { kind: 'secrets-manager', secretId: 'token-CALLBACK_SECRET_ARN' },
      logLevel: SETTINGS.logLevel.default,
      metricsNamespace: 'ZegoCallbacks/Agree/Receiver',
      policy: {
        toleranceSeconds: SETTINGS.signatureToleranceSeconds.default,
        forwardEvents: new Set(SETTINGS.forwardEvents.default),
        forwardUnknownEvents: SETTINGS.forwardUnknownEvents.default,
      },
    });
  });

  it('documents in each prop’s @default the table’s default', () => {
    const text =
      source('lib/zego-callback-receiver.ts') + source('lib/zego-callback-monitoring.ts');
    const defaultOf = (prop: string) =>
      new RegExp(`@default ([^\\n]*)\\n\\s*\\*/\\n\\s*readonly ${prop}\\?`).exec(text)?.[1];
    for (const [name, setting] of all) {
      if (setting.prop === undefined || setting.default === undefined) continue;
      const [prop, nested] = setting.prop.split('.') as [string, string | undefined];
      // A nested prop documents its default itself, or in its parent's (`throttle`).
      const own = nested === undefined ? undefined : defaultOf(nested);
      const documented = own ?? defaultOf(prop);
      expect(documented, name).toBeDefined();
      const value: unknown = setting.default;
      const expected =
        name === 'logRetentionDays'
          ? `RetentionDays.${RetentionDays[value as number]}`
          : nested !== undefined && own === undefined
            ? `${nested}: ${value}`
            : name === 'metricsNamespace'
              ? `\`${value}/<stack name>/<receiver's path in the stack>\``
              : typeof value === 'string'
                ? `'${value}'`
                : Array.isArray(value)
                  ? `[${value.map((v) => `'${v}'`).join(', ')}]`
                  : String(value);
      expect(documented, name).toContain(expected);
    }
  });
});

describe('cdk.json', () => {
  const context = (JSON.parse(source('cdk.json')) as { context: Record<string, unknown> }).context;
  const isFlag = (key: string) => key.startsWith('@aws-cdk') || key.startsWith('aws-cdk:');

  it('sets every feature flag `cdk init` recommends for the aws-cdk-lib in use (update cdk.json after an upgrade)', () => {
    const missingOrDifferent = Object.entries(CURRENTLY_RECOMMENDED_FLAGS).filter(
      ([key, value]) => JSON.stringify(context[key]) !== JSON.stringify(value),
    );
    expect(Object.fromEntries(missingOrDifferent)).toEqual({});
  });

  it('sets no flag beyond them: none expired (v1-only) and none unknown', () => {
    const extra = Object.keys(context).filter(
      (key) => isFlag(key) && !(key in CURRENTLY_RECOMMENDED_FLAGS),
    );
    expect(extra).toEqual([]);
    expect(
      Object.keys(context).filter((key) => CURRENT_VERSION_EXPIRED_FLAGS.includes(key)),
    ).toEqual([]);
  });

  it('holds no context key the settings table does not know', () => {
    const known = new Set(all.map(([, s]) => s.context));
    expect(Object.keys(context).filter((key) => !isFlag(key) && !known.has(key))).toEqual([]);
  });
});
