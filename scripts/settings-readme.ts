import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expectation, SETTING_NAMES, SETTINGS, type Setting } from '../config/settings.js';

/**
 * The configuration tables of README.md (context keys) and docs/configuration.md (environment,
 * props), generated from config/settings.ts so that they cannot drift: `npm run readme` rewrites
 * them, test/settings.test.ts fails when they differ.
 */
export const SETTINGS_DOCUMENTS = ['README.md', 'docs/configuration.md'].map((path) =>
  fileURLToPath(new URL(`../${path}`, import.meta.url)),
);

const code = (text: string) => `\`${text}\``;

function shownDefault(setting: Setting): string {
  if (setting.required) return 'required';
  if (setting.defaultText !== undefined) return setting.defaultText;
  const value: unknown = setting.default;
  if (value === undefined) return '(none)';
  return code(Array.isArray(value) ? value.join(',') : String(value));
}

function shownValues(setting: Setting): string {
  const constrained =
    setting.type !== 'text' || setting.pattern !== undefined || setting.expected !== undefined;
  return constrained ? expectation(setting) : 'any';
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

const settings = SETTING_NAMES.map((name) => ({ name, setting: SETTINGS[name] as Setting }));

/** Each generated block, by the name of its marker in README. */
export function renderSettingsBlocks(): Record<string, string> {
  return {
    context: table(
      ['context key', 'default', 'valid values', 'meaning'],
      settings
        .filter(({ setting }) => setting.context !== undefined)
        .map(({ setting }) => [
          code(setting.context ?? ''),
          shownDefault(setting),
          shownValues(setting),
          setting.doc,
        ]),
    ),
    env: table(
      ['variable', 'default', 'valid values', 'meaning'],
      settings
        .filter(({ setting }) => setting.env !== undefined)
        .map(({ setting }) => [
          code(setting.env ?? ''),
          shownDefault(setting),
          shownValues(setting),
          setting.context === undefined ? setting.doc : `As context key ${code(setting.context)}.`,
        ]),
    ),
    props: table(
      ['construct', 'prop', 'default', 'valid values'],
      settings
        .filter(({ setting }) => setting.prop !== undefined)
        .map(({ name, setting }) => [
          setting.scope === 'monitoring' ? 'ZegoCallbackMonitoring' : 'ZegoCallbackReceiver',
          code(setting.prop ?? ''),
          name === 'logRetentionDays' ? '`RetentionDays.ONE_MONTH`' : shownDefault(setting),
          shownValues(setting),
        ]),
    ),
  };
}

const marker = (name: string, end: 'start' | 'end') => `<!-- settings:${name}:${end} -->`;

/** The names of the generated blocks a document holds. */
export function settingsBlocksIn(text: string): string[] {
  return Object.keys(renderSettingsBlocks()).filter((name) => text.includes(marker(name, 'start')));
}

/** A document with each generated block it holds replaced; throws on an unclosed block. */
export function withSettingsBlocks(document: string): string {
  let text = document;
  const blocks = renderSettingsBlocks();
  for (const name of settingsBlocksIn(text)) {
    const start = text.indexOf(marker(name, 'start'));
    const end = text.indexOf(marker(name, 'end'));
    if (end < start) throw new Error(`${marker(name, 'start')} has no end marker after it`);
    text = `${text.slice(0, start + marker(name, 'start').length)}\n${blocks[name]}\n${text.slice(end)}`;
  }
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of SETTINGS_DOCUMENTS) {
    const before = readFileSync(path, 'utf8');
    const after = withSettingsBlocks(before);
    writeFileSync(path, after);
    console.log(`${path}: settings tables ${after === before ? 'unchanged' : 'rewritten'}`);
  }
}
