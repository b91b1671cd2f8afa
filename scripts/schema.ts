import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { callbackMessageSchema } from '../lambda/core/contract.js';
import { EVENT_DOCS } from '../lambda/core/events.js';

/**
 * `npm run schema`: writes what follows from the event definitions (lambda/core/events.ts) for
 * people and other languages: schema/callback-message.schema.json and README's event table.
 * test/contract.test.ts fails when either committed text is not exactly what this renders.
 */
export const SCHEMA_FILE = fileURLToPath(
  new URL('../schema/callback-message.schema.json', import.meta.url),
);
export const README_FILE = fileURLToPath(new URL('../README.md', import.meta.url));
const BIOME = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));

function jsonSchema() {
  // The input side: what a consumer may receive. Unknown properties stay allowed there.
  const { $schema, title, description, ...generated } = z.toJSONSchema(callbackMessageSchema, {
    target: 'draft-2020-12',
    io: 'input',
  });
  const $id = 'urn:zego-callback-queue:callback-message:1';
  return { $schema, $id, title, description, ...generated };
}

export function renderCallbackMessageSchema(): string {
  // Formatted as `biome check` wants it, so that the committed file passes the linter as is.
  return execFileSync(BIOME, ['format', `--stdin-file-path=${SCHEMA_FILE}`], {
    input: `${JSON.stringify(jsonSchema(), null, 2)}\n`,
    encoding: 'utf8',
  });
}

/** Every message has these; README's prose names them, the table lists the rest. */
const ENVELOPE = new Set(['schemaVersion', 'id', 'event', 'appId', 'timestamp', 'receivedAt']);
const START = '<!-- events:start -->';
const END = '<!-- events:end -->';

/** README with its event table, one row per message of the contract, rewritten. */
export function withEventTable(readme: string): string {
  const rows = (jsonSchema().oneOf as { properties: Record<string, { const?: string }> }[]).map(
    ({ properties }) => {
      const event = properties.event?.const as keyof typeof EVENT_DOCS;
      const docs: { when: string; fields?: Record<string, string> } = EVENT_DOCS[event];
      const fields = Object.keys(properties)
        .filter((name) => !ENVELOPE.has(name))
        .map((name) => `\`${name}\`${docs.fields?.[name] ? ` (${docs.fields[name]})` : ''}`);
      return `| \`${event}\` | ${docs.when} | ${fields.join(', ')} |`;
    },
  );
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md needs ${START} ... ${END}`);
  const table = ['| event | when ZEGOCLOUD sends it | its fields |', '|---|---|---|', ...rows];
  return `${readme.slice(0, start + START.length)}\n${table.join('\n')}\n${readme.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(SCHEMA_FILE, renderCallbackMessageSchema());
  writeFileSync(README_FILE, withEventTable(readFileSync(README_FILE, 'utf8')));
  console.log(`wrote ${SCHEMA_FILE} and the event table of ${README_FILE}`);
}
