import { defineConfig } from 'vitest/config';

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
    // The handler logs a JSON line per callback: shown for failing tests only.
    silent: 'passed-only',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
