import { captureAWSv3Client } from 'aws-xray-sdk-core';
import { replayGuardFromConfig } from './adapters/replay-guard.js';
import { createHandlerFromEnvironment } from './environment.js';
import type { CallbackHandler } from './handler.js';

/**
 * The Lambda entry point with `tracing` on: every SQS, Secrets Manager and (with the replay
 * guard) DynamoDB call an X-Ray subsegment. Its own entry, bundled with the guard: the X-Ray SDK
 * costs load time (docs/operations.md, Tracing) that the default bundle does not pay.
 */
export const handler: CallbackHandler = createHandlerFromEnvironment(process.env, {
  replayGuard: (config) => replayGuardFromConfig(config, captureAWSv3Client),
  traced: captureAWSv3Client,
});
