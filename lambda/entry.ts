import { createHandlerFromEnvironment } from './environment.js';

/** The Lambda entry point. Configuration is read once, at cold start (the init phase). */
export const handler = createHandlerFromEnvironment(process.env);
