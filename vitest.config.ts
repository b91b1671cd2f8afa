import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The slowest suites, slowest first (measured: `npx vitest run --reporter=verbose`). Without
// vitest's cache of past durations (a fresh clone, as in CI) it starts the largest files first,
// and these are small: started last, one of them alone is the run's last 15-30 s.
const SLOWEST = [
  'test/package.test.ts',
  'test/bench.test.ts',
  'test/api-reference.test.ts',
  'test/readme.test.ts',
  'test/settings.test.ts',
  'test/consumer.test.ts',
  'test/stack.test.ts',
  'test/bundle.test.ts',
  'test/handler.test.ts',
  'test/properties.test.ts',
  'test/fault-campaign.test.ts',
];

/** A sequencer that runs the listed files first, in the list's order, then the rest. */
export function listedFirst(order: readonly string[]): typeof BaseSequencer {
  return class extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const rank = (file: TestSpecification) => {
        const at = order.findIndex((suite) => file.moduleId.endsWith(suite));
        return at === -1 ? order.length : at;
      };
      return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
    }
  };
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The function bundles the package ships, built once: every synth in the tests reads them.
    globalSetup: ['scripts/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Keep the 2-core machine from oversubscribing.
    maxWorkers: 2,
    sequence: { sequencer: listedFirst(SLOWEST) },
    // The handler logs a JSON line per callback: shown for failing tests only.
    silent: 'passed-only',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
