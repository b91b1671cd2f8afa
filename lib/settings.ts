/**
 * Kept only for the local stack's imports while they move (local/server.ts, local/sqs.ts): the
 * queue shape is in lib/queue-settings.ts, the route path in config/settings.ts. Delete this
 * file once nothing imports it.
 */
import { SETTINGS } from '../config/settings.js';

export { QUEUE_SETTINGS } from './queue-settings.js';
export const CALLBACK_ROUTE_PATH = SETTINGS.routePath.default;
