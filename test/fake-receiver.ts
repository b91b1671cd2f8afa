import type { CallbackRecord, Logger } from '../lambda/adapters/log.js';
import type { QueueSender, SqsMessage } from '../lambda/adapters/queue.js';
import { InlineSecrets, type SecretSource } from '../lambda/adapters/secrets.js';
import { CALL_EVENTS } from '../lambda/core/callback.js';
import type { Policy } from '../lambda/core/decide.js';
import { createHandler, type Dependencies } from '../lambda/handler.js';
import { callbackSender } from './support.js';

export const FAKE_SECRET = 'fake-receiver-secret';
/** The receiver's clock in these tests; callbacks are signed at this second unless told. */
export const NOW = new Date('2026-11-25T12:00:00.000Z');
export const NOW_SECONDS = NOW.getTime() / 1000;

/**
 * The handler with in-memory dependencies: what it enqueued, kept aside and logged, without a
 * server. Every event is forwarded, unknown ones too, unless the policy says otherwise.
 */
export function fakeReceiver(
  overrides: Partial<Omit<Dependencies, 'policy'>> & { policy?: Partial<Policy> } = {},
) {
  const sent: SqsMessage[] = [];
  const kept: string[] = [];
  const records: CallbackRecord[] = [];
  const queue: QueueSender = {
    send: async (message) => {
      sent.push(message);
      return `message-${sent.length}`;
    },
  };
  const quarantine: QueueSender = {
    send: async ({ body }) => {
      kept.push(body);
      return `kept-${kept.length}`;
    },
  };
  const log: Logger = { callback: (record) => records.push(record) };
  const secrets: SecretSource = new InlineSecrets([FAKE_SECRET]);
  const handler = createHandler({
    secrets,
    queue,
    quarantine,
    log,
    now: () => NOW,
    ...overrides,
    policy: {
      toleranceSeconds: 300,
      forwardEvents: new Set(CALL_EVENTS),
      forwardUnknownEvents: true,
      ...overrides.policy,
    },
  });
  const { post, send } = callbackSender(FAKE_SECRET, () => handler);
  return {
    handler,
    sent,
    kept,
    records,
    send,
    /** Signs at the receiver's NOW unless a timestamp is given. */
    post: (...[fields, options]: Parameters<typeof post>) =>
      post(fields, { timestamp: NOW_SECONDS, ...options }),
  };
}
