import { replayGuardFromConfig } from './adapters/replay-guard.js';
import { createHandlerFromEnvironment } from './environment.js';
import type { CallbackHandler } from './handler.js';

/** The Lambda entry point with the replay guard: the DynamoDB client is in this bundle only. */
export const handler: CallbackHandler = createHandlerFromEnvironment(process.env, {
  replayGuard: replayGuardFromConfig,
});
