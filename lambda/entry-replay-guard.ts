import { replayGuardFromConfig } from './adapters/replay-guard.js';
import { createHandlerFromEnvironment } from './environment.js';
import type { CallbackHandler } from './handler.js';

/**
 * The Lambda entry point with the replay guard (CDK context `replayGuard=true`). A separate
 * entry so that the DynamoDB client is in this bundle only: the default one stays lean.
 */
export const handler: CallbackHandler = createHandlerFromEnvironment(process.env, {
  replayGuard: replayGuardFromConfig,
});
