import { createHandlerFromEnvironment } from './environment.js';
import type { CallbackHandler } from './handler.js';

/** The Lambda entry point. Configuration is read once, at cold start (the init phase). */
export const handler: CallbackHandler = createHandlerFromEnvironment(process.env);
