import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  envName,
  namesWhere,
  SETTINGS,
  type Setting,
  type SettingName,
} from '../lambda/settings.js';
import { readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';

/**
 * The generated parts of the docs and of the props' TSDoc, so that each fact is written once:
 * - each prop's `@default`, from lambda/settings.ts, where a prop is named after a setting;
 * - the settings tables of README.md and docs/configuration.md, from lambda/settings.ts and the
 *   TSDoc of the props (or, for a setting that is no prop, of its entry in lambda/settings.ts);
 * - the alarm table of docs/operations.md, from the alarms the monitoring construct creates.
 * `npm run generate` writes them; test/settings.test.ts fails when a file differs.
 */
const path = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));
const read = (file: string) => readFileSync(path(file), 'utf8');

/** Where each construct's props are declared: the doc of a setting that is a prop. */
const PROPS = {
  receiver: ['lib/zego-callback-receiver.ts', 'ZegoCallbackReceiverProps'],
  monitoring: ['lib/zego-callback-monitoring.ts', 'ZegoCallbackMonitoringProps'],
  consumer: ['lib/reference-consumer.ts', 'ReferenceConsumerProps'],
} as const;
const CONSTRUCT = { receiver: 'ZegoCallbackReceiver', monitoring: 'ZegoCallbackMonitoring' };

interface Doc {
  readonly text: string;
  /** The `@default` tag's text, if any. */
  readonly byDefault?: string | undefined;
}

/** The text from `start` to the end of the block it opens (a line with a closing brace). */
function block(text: string, start: string): string {
  const from = text.indexOf(start);
  if (from < 0) throw new Error(`${start} not found`);
  return text.slice(from, text.indexOf('\n}', from));
}

/** The TSDoc of each member of a block, by name. */
function docsIn(text: string): Map<string, Doc> {
  const docs = new Map<string, Doc>();
  for (const [, body = '', name = ''] of text.matchAll(
    /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?:readonly )?(\w+)\??:/g,
  )) {
    // One line or several: the prose, then `@default` on its own line or at the end of the prose.
    const flat = body.split('\n').map((line) => line.replace(/^\s*\*? ?/, '').trim());
    const [prose = '', byDefault] = flat.join(' ').split(/(?:^| )@default /);
    docs.set(name, { text: prose.trim(), byDefault: byDefault?.trim() });
  }
  return docs;
}

const propDocs = (construct: keyof typeof PROPS) => {
  const [file, name] = PROPS[construct];
  return docsIn(block(read(file), `export interface ${name} `));
};
const entryDocs = docsIn(block(read('lambda/settings.ts'), 'export const SETTINGS = {'));

export function docOf(name: SettingName): Doc {
  const setting: Setting = SETTINGS[name];
  const doc = setting.prop ? propDocs(setting.prop).get(name) : entryDocs.get(name);
  if (!doc?.text) {
    const where = setting.prop ? PROPS[setting.prop].join(' ') : 'lambda/settings.ts';
    throw new Error(`${name} has no TSDoc in ${where}`);
  }
  return doc;
}

/** A default as TSDoc writes it. */
function tsdocValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tsdocValue).join(', ')}]`;
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** Each props interface with the `@default` of every prop named after a setting rewritten. */
function withDefaults(file: string, interfaceName: string): string {
  let text = read(file);
  const start = text.indexOf(`export interface ${interfaceName} `);
  const members = block(text, `export interface ${interfaceName} `);
  let rewritten = members;
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = (SETTINGS[name] as Setting).default;
    if (value === undefined || !new RegExp(`readonly ${name}\\?:`).test(members)) continue;
    const tag = new RegExp(
      `(@default )[^\\n]*?( - [^\\n]*?)?( ?\\*/|\\n\\s*\\*/)(\\n\\s*readonly ${name}\\?:)`,
    );
    if (!tag.test(rewritten))
      throw new Error(`${file}: ${name} needs an @default, last in its TSDoc`);
    rewritten = rewritten.replace(
      tag,
      (_, at, note = '', end, rest) => `${at}${tsdocValue(value)}${note}${end}${rest}`,
    );
  }
  text = text.slice(0, start) + rewritten + text.slice(start + members.length);
  return text;
}

const code = (text: string) => `\`${text}\``;

function shownDefault(name: SettingName): string {
  const value = (SETTINGS[name] as Setting).default;
  if (value !== undefined) return code(Array.isArray(value) ? value.join(',') : String(value));
  return docOf(name).byDefault?.replace(/^- /, '') ?? '(none)';
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

function settingsBlocks(): Record<string, string> {
  const expected = (name: SettingName) => (SETTINGS[name] as Setting).expected;
  return {
    'settings:context': table(
      ['context key', 'default', 'valid values', 'meaning'],
      namesWhere({ context: true }).map((name) => [
        code(name),
        shownDefault(name),
        expected(name),
        docOf(name).text,
      ]),
    ),
    'settings:env': table(
      ['variable', 'default', 'valid values', 'meaning'],
      namesWhere({ env: true }).map((name) => [
        code(envName(name)),
        shownDefault(name),
        expected(name),
        (SETTINGS[name] as Setting).context ? `As context key ${code(name)}.` : docOf(name).text,
      ]),
    ),
    'settings:props': table(
      ['construct', 'prop', 'default', 'valid values'],
      (['receiver', 'monitoring'] as const).flatMap((construct) =>
        namesWhere({ prop: construct }).map((name) => [
          CONSTRUCT[construct],
          code(name),
          shownDefault(name),
          expected(name),
        ]),
      ),
    ),
  };
}

const COMPARISON: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

interface AlarmProperties {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: { readonly Name: string; readonly Value: unknown }[];
  readonly Statistic: string;
  readonly Period: number;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly TreatMissingData: string;
  readonly AlarmDescription: string;
}

/** Every alarm the monitoring creates, opt-in ones too, with what fires it as synthesized. */
function alarmBlock(): string {
  const optIn = { noCallbacksAlarmMinutes: 60 };
  const [always = [], all = []] = [{}, optIn].map((context) => {
    // No bundling: only the alarms are read.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
    const stack = new ZegoCallbackStack(app, 'Docs', { settings: readContext(app) });
    const { Resources } = app.synth().getStackByName('Docs').template as {
      Resources: Record<string, { Properties: AlarmProperties }>;
    };
    return stack.monitoring.alarms.map((alarm) => ({
      id: alarm.node.id,
      alarm: Resources[stack.getLogicalId(alarm.node.defaultChild as CfnAlarm)]?.Properties,
    }));
  });
  const rows = all.map(({ id, alarm }) => {
    if (alarm === undefined) throw new Error(`${id} is not in the template`);
    const dimensions = (alarm.Dimensions ?? [])
      .filter((d) => typeof d.Value === 'string')
      .map((d) => `${d.Name}=${d.Value}`);
    const metric = alarm.Namespace.startsWith('AWS/')
      ? `${alarm.Namespace} ${alarm.MetricName}`
      : `${alarm.MetricName}${dimensions.length > 0 ? ` (${dimensions.join(', ')})` : ''}`;
    const when = [
      `${metric}, ${alarm.Statistic} per ${alarm.Period / 60} min`,
      `${COMPARISON[alarm.ComparisonOperator] ?? alarm.ComparisonOperator} ${alarm.Threshold}`,
      alarm.EvaluationPeriods > 1 ? `in ${alarm.EvaluationPeriods} periods in a row` : '',
      alarm.TreatMissingData === 'breaching' ? '(no data counts)' : '',
    ];
    const optional = !always.some((alarm) => alarm.id === id);
    const [[key, value]] = Object.entries(optIn) as [[string, number]];
    const name = optional ? `${code(id)} (opt-in: ${code(key)}, here ${value})` : code(id);
    return [name, when.filter(Boolean).join(' '), alarm.AlarmDescription];
  });
  return table(['alarm', 'fires when', 'what it means, what to check first'], rows);
}

/** Each generated block in a document replaced; throws on an unclosed one. */
function withBlocks(document: string, blocks: Record<string, string>): string {
  let text = document;
  for (const [name, content] of Object.entries(blocks)) {
    const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
    const at = text.indexOf(start);
    if (at < 0) continue;
    const until = text.indexOf(end, at);
    if (until < 0) throw new Error(`${start} has no end marker after it`);
    text = `${text.slice(0, at + start.length)}\n${content}\n${text.slice(until)}`;
  }
  return text;
}

/** Every generated file as it should read, by path from the repository root. */
export function generatedFiles(): Map<string, string> {
  const blocks = { ...settingsBlocks(), alarms: alarmBlock() };
  const files = new Map<string, string>();
  for (const [file, name] of Object.values(PROPS)) files.set(file, withDefaults(file, name));
  for (const file of ['README.md', 'docs/configuration.md', 'docs/operations.md']) {
    files.set(file, withBlocks(read(file), blocks));
  }
  return files;
}

/** The names of the generated blocks, each of which some document must hold once. */
export const BLOCK_NAMES = ['settings:context', 'settings:env', 'settings:props', 'alarms'];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of generatedFiles()) {
    const changed = text !== read(file);
    if (changed) writeFileSync(path(file), text);
    console.log(`${file}: ${changed ? 'rewritten' : 'unchanged'}`);
  }
}
