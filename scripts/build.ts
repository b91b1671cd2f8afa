import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, buildSync } from 'esbuild';
import { ASSETS, ENTRIES, type EntryKind } from '../lib/function.js';

/**
 * `npm run build`: what the package ships. dist/assets/<entry>/index.mjs, every function of
 * lib/function.ts's ENTRIES bundled; dist/lib/index.js, the library as CommonJS, with its .d.ts
 * in dist/lib and dist/lambda (`compile`). `--functions`: the bundles alone, which is all that
 * `cdk synth`, the tests (vitest's globalSetup) and the benchmark read.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The options NodejsFunction ran esbuild with before the bundles were built here (the bytes are
 * the same): ESM for Node 24, minified, no source map, the SDK bundled rather than the
 * runtime's (smaller, pinned, faster to load). The benchmark's floor is bundled by this too.
 */
/** A `require` for CommonJS code in an ES module bundle (the X-Ray SDK calls it). */
const REQUIRE =
  "import{createRequire as zcqRequire}from'node:module';const require=zcqRequire(import.meta.url);";

export async function bundle(source: string, outfile: string, kind: EntryKind) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    alias: kind === 'plain' ? {} : { 'node:http': join(ROOT, 'lambda/builtins/node-http.cjs') },
    banner: kind === 'traced' ? { js: REQUIRE } : {},
    logLevel: 'warning',
  });
}

export async function bundleFunctions(): Promise<void> {
  rmSync(ASSETS, { recursive: true, force: true });
  await Promise.all(
    Object.entries(ENTRIES).map(([name, kind]) =>
      bundle(join(ROOT, 'lambda', `${name}.ts`), join(ASSETS, name, 'index.mjs'), kind),
    ),
  );
}

/**
 * The library, as CommonJS: what a CommonJS app requires and an ES module app imports alike, and
 * what Jest (`cdk init`'s test runner, whose module system cannot `require` an ES module) loads.
 * lib/index.ts bundled by esbuild into dist/lib/index.js, every package left to the app's
 * node_modules (its peers, zod); tsc writes the .d.ts (tsconfig.build.json); dist/package.json
 * tells Node and TypeScript that both are CommonJS. Emptied first, so that no deleted file ships.
 */
export function compile(): void {
  for (const dir of ['lib', 'lambda'])
    rmSync(join(ROOT, 'dist', dir), { recursive: true, force: true });
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'lib/index.ts')],
    outfile: join(ROOT, 'dist/lib/index.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // lib/function.ts finds dist/assets from its own URL.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: {
      js: "'use strict';\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    },
    logLevel: 'warning',
  });
  writeFileSync(join(ROOT, 'dist/package.json'), '{ "type": "commonjs" }\n');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}

/** vitest's globalSetup: every test synthesizes with the bundles that ship. */
export const setup = bundleFunctions;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundleFunctions();
  if (!process.argv.includes('--functions')) compile();
}
