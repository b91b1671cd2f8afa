import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { callbackMessageSchema } from '../lambda/core/contract.js';

/**
 * `npm run schema`: writes schema/callback-message.schema.json from the contract's one
 * definition (lambda/core/contract.ts), for consumers in other languages.
 * test/contract.test.ts fails when the committed file is not exactly what this renders.
 */
export const SCHEMA_FILE = fileURLToPath(
  new URL('../schema/callback-message.schema.json', import.meta.url),
);
const BIOME = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));

export function renderCallbackMessageSchema(): string {
  // The input side: what a consumer may receive. Unknown properties stay allowed there.
  const { $schema, title, description, ...generated } = z.toJSONSchema(callbackMessageSchema, {
    target: 'draft-2020-12',
    io: 'input',
  });
  const $id = 'urn:zego-callback-queue:callback-message:1';
  const schema = { $schema, $id, title, description, ...generated };
  // Formatted as `biome check` wants it, so that the committed file passes the linter as is.
  return execFileSync(BIOME, ['format', `--stdin-file-path=${SCHEMA_FILE}`], {
    input: `${JSON.stringify(schema, null, 2)}\n`,
    encoding: 'utf8',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(SCHEMA_FILE, renderCallbackMessageSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
