import { defineConfig } from 'vitest/config';
import base, { listedFirst } from './vitest.config.js';

// Fast pure suites first, the slow server-backed ones last: a mutant of a top-level constant runs
// every suite until one fails, so the order sets the run time (not the verdict).
const SUITES = [
  'test/signature.test.ts',
  'test/body.test.ts',
  'test/json-grammar.test.ts',
  'test/field-rules.test.ts',
  'test/message.test.ts',
  'test/deduplication-ids.test.ts',
  'test/contract.test.ts',
  'test/settings.test.ts',
  'test/answers.test.ts',
  'test/signed-shapes.test.ts',
  'test/telemetry.test.ts',
  'test/secrets.test.ts',
  'test/replay-guard.test.ts',
  'test/queue.test.ts',
  'test/deduplication.test.ts',
  'test/handler.test.ts',
  'test/quarantine-requeue.test.ts',
  'test/properties.test.ts',
];

/**
 * The suites `npm run mutation` runs: those that test lambda/ (not bundle, stack, readme, bench,
 * load, faults, package). Listed here, not as Stryker's `testFiles`: with `testFiles`, Stryker
 * 10.1 activates a mutant of a top-level constant only after the module has loaded, so every such
 * mutant survives (stryker-js issues 6144, 6209).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: SUITES,
    sequence: { ...base.test?.sequence, sequencer: listedFirst(SUITES) },
  },
});
