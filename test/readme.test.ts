import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * README's "Consuming the queue" snippets are code users copy: each is type-checked, as it
 * stands, against this project's API and the packages it names.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Inside the project, so that its package.json (ESM) and node_modules apply; never linted.
const DIR = join(ROOT, 'node_modules', '.cache', 'readme-snippets');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function section(title: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('README, Consuming the queue', () => {
  it('has TypeScript snippets that compile: the Lambda on Powertools and the plain SQS loop', () => {
    const snippets = [...section('Consuming the queue').matchAll(/```ts\n([\s\S]*?)```/g)].map(
      (match) => match[1] ?? '',
    );
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    expect(snippets.some((s) => s.includes('SqsFifoPartialProcessorAsync'))).toBe(true);
    expect(snippets.some((s) => s.includes('ReceiveMessageCommand'))).toBe(true);
    mkdirSync(DIR, { recursive: true });
    const files = snippets.map((code, i) => {
      const file = join(DIR, `snippet-${i}.ts`);
      const source = code.replaceAll("'zego-callback-queue'", "'../../../lib/index.js'");
      // The one thing the snippets leave to the reader.
      const declared =
        'declare function notifyCaller(callId: string, userId: string): Promise<void>;\n';
      writeFileSync(file, `${declared}${source}\nexport {};\n`);
      return file;
    });
    const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const program = ts.createProgram(files, options);
    // The snippets' own diagnostics: the library they import is checked by `npm run check`.
    const problems = files
      .map((file) => program.getSourceFile(file))
      .flatMap((file) => [
        ...program.getSyntacticDiagnostics(file),
        ...program.getSemanticDiagnostics(file),
      ])
      .map((d) => {
        const at = d.file?.getLineAndCharacterOfPosition(d.start ?? 0);
        const where = `${d.file?.fileName.slice(DIR.length + 1)}:${(at?.line ?? 0) + 1}`;
        return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });
});
