import { replayGuardFromConfig } from './adapters/replay-guard.js';
import { createHandlerFromEnvironment } from './environment.js';

/** The Lambda entry point with the replay guard: the DynamoDB client is in this bundle only. */
export const handler = createHandlerFromEnvironment(process.env, {
  replayGuard: replayGuardFromConfig,
});
