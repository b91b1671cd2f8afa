import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMMITTED = join(ROOT, 'docs/api');
const out = mkdtempSync(join(tmpdir(), 'zego-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const files = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('docs/api, the API reference', () => {
  it('is what TypeDoc renders from the TSDoc of lib/index.ts today (npm run generate writes it)', async () => {
    // typedoc.json: warnings are errors, so an export whose type names an unexported one fails.
    await promisify(execFile)(
      process.execPath,
      ['node_modules/typedoc/bin/typedoc', '--out', out],
      {
        cwd: ROOT,
      },
    );
    expect(files(out)).toEqual(files(COMMITTED));
    for (const file of files(out)) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(
        readFileSync(join(COMMITTED, file), 'utf8'),
      );
    }
  });
});
