import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites that test the mutated code, and no others. They are listed here, not as Stryker's
 * `testFiles`: Stryker 10.1 turns `testFiles` into a test filter for every mutant, which makes it
 * activate a static mutant (a top-level regex, schema, table) only after the module has loaded,
 * so no static mutant could ever be killed.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/answers.test.ts',
      'test/body.test.ts',
      'test/contract.test.ts',
      'test/deduplication.test.ts',
      'test/deduplication-ids.test.ts',
      'test/field-rules.test.ts',
      'test/handler.test.ts',
      'test/json-grammar.test.ts',
      'test/message.test.ts',
      'test/properties.test.ts',
      'test/quarantine-requeue.test.ts',
      'test/queue.test.ts',
      'test/replay-guard.test.ts',
      'test/secrets.test.ts',
      'test/settings.test.ts',
      'test/signature.test.ts',
      'test/signed-shapes.test.ts',
      'test/telemetry.test.ts',
    ],
  },
});
