import { captureAWSv3Client } from 'aws-xray-sdk-core';
import { replayGuardFromConfig } from './adapters/replay-guard.js';
import { createHandlerFromEnvironment } from './environment.js';

/** The Lambda entry point with `tracing`: each AWS call an X-Ray subsegment. Its own entry, with the
 * guard: the X-Ray SDK costs load time (docs/operations.md, Tracing) the default bundle spares. */
export const handler = createHandlerFromEnvironment(process.env, {
  replayGuard: (config) => replayGuardFromConfig(config, captureAWSv3Client),
  traced: captureAWSv3Client,
});
