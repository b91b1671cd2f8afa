import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Stack synthesis bundles with esbuild; keep the 2-core machine from oversubscribing.
    maxWorkers: 2,
    env: { AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1' },
  },
});
