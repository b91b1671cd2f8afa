import { hash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CallbackRecord, Logger } from './adapters/log.js';
import type { QuarantineSender, QueueSender } from './adapters/queue.js';
import type { ReplayGuard } from './adapters/replay-guard.js';
import type { SecretSource } from './adapters/secrets.js';
import { isCallEvent, receiveCallback } from './core/callback.js';
import { checkFreshness, type Decision, decide, type Policy } from './core/decide.js';
import {
  asCallbackError,
  type CallbackError,
  NotConfiguredError,
  SignatureError,
} from './core/errors.js';
import { callIdOf } from './core/message.js';
import { type SignedFields, verifySignature } from './core/signature.js';

export interface Dependencies {
  readonly policy: Policy;
  readonly secrets: SecretSource;
  readonly queue: QueueSender;
  /** Where signed callbacks this version cannot use are kept; without it they get 503. */
  readonly quarantine?: QuarantineSender | undefined;
  readonly log: Logger;
  readonly now: () => Date;
  /** Opt-in: refuses a captured signature attached to another body. */
  readonly replayGuard?: ReplayGuard | undefined;
}

export type CallbackHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The handler: API Gateway event in, response out. It never throws: every input and every
 * failure becomes an answer, 2xx only once the event is stored, kept aside or deliberately
 * ignored.
 */
export function createHandler(dependencies: Dependencies): CallbackHandler {
  const { log } = dependencies;
  return async (event) => {
    const started = performance.now();
    const requestId = event.requestContext?.requestId;
    // Set once the callback is decided, so that a later failure is recorded with its event.
    const decided: { decision?: Decision } = {};
    try {
      const { decision, messageId } = await handleCallback(event, dependencies, decided);
      log.callback({
        outcome: OUTCOME[decision.action],
        status: 200,
        ...describe(decision),
        messageId,
        requestId,
        latencyMs: elapsed(started),
      });
      return json(200, answer(decision));
    } catch (thrown) {
      return failed(log, asCallbackError(thrown), decided.decision, requestId, started);
    }
  };
}

/**
 * The answer to every callback when the function's settings are invalid: 503 (ZEGOCLOUD
 * retries while someone fixes them) and a log line saying why, rather than a crash of the init
 * phase, which API Gateway would turn into 500s with no reason attached.
 */
export function createUnconfiguredHandler(error: CallbackError, log: Logger): CallbackHandler {
  return async (event) =>
    failed(log, error, undefined, event.requestContext?.requestId, performance.now());
}

/**
 * The order matters: nothing is derived from the body (an event name, a call ID, a metric) until
 * the signature, the time window and the replay guard have passed.
 */
async function handleCallback(
  event: APIGatewayProxyEventV2,
  dependencies: Dependencies,
  decided: { decision?: Decision },
): Promise<{ decision: Decision; messageId?: string }> {
  const { policy, secrets, queue, quarantine, now, replayGuard } = dependencies;
  const received = receiveCallback({
    body: event.body,
    isBase64Encoded: event.isBase64Encoded ?? false,
  });
  await verify(received.signed, secrets);
  const at = now();
  checkFreshness(received.signed, policy, at);
  // Ignored events too: their captured signatures could otherwise carry a forwarded event.
  await replayGuard?.admit(received.signed, hash('sha256', event.body ?? '', 'hex'));
  const decision = decide(received.fields, policy, at);
  decided.decision = decision;
  switch (decision.action) {
    case 'ignore':
      return { decision };
    case 'enqueue':
      return { decision, messageId: await queue.send(decision.message) };
    case 'quarantine':
      if (quarantine === undefined) {
        throw new NotConfiguredError(
          'a signed callback needs the quarantine queue, and QUARANTINE_QUEUE_URL is not set',
        );
      }
      return { decision, messageId: await quarantine.send(decision.message.body) };
  }
}

async function verify(signed: SignedFields, secrets: SecretSource): Promise<void> {
  const current = await secrets.current();
  try {
    verifySignature(signed, current);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    // The secret may have been rotated since it was cached: one re-read before refusing.
    const fresh = await secrets.refreshed();
    // The same list when no re-read was allowed (or possible): its verdict is already known.
    if (fresh === current) throw error;
    verifySignature(signed, fresh);
  }
}

const OUTCOME = {
  enqueue: 'enqueued',
  ignore: 'ignored',
  quarantine: 'quarantined',
} as const satisfies Record<Decision['action'], CallbackRecord['outcome']>;

function answer(decision: Decision): object {
  switch (decision.action) {
    case 'enqueue':
      return { status: 'enqueued', id: decision.message.deduplicationId };
    case 'ignore':
      return { status: 'ignored' };
    case 'quarantine':
      return { status: 'quarantined', id: decision.message.id };
  }
}

function failed(
  log: Logger,
  error: CallbackError,
  decision: Decision | undefined,
  requestId: string | undefined,
  started: number,
): APIGatewayProxyStructuredResultV2 {
  const serverSide = error.status >= 500;
  log.callback({
    outcome: serverSide ? 'failed' : 'refused',
    ...(decision ? describe(decision) : {}),
    status: error.status,
    reason: error.reason,
    error: error.message,
    cause: serverSide ? describeCause(error.cause) : undefined,
    requestId,
    latencyMs: elapsed(started),
  });
  // 5xx details are for the operator's logs, not for whoever is calling.
  const message = serverSide ? 'temporarily unavailable; retry later' : error.message;
  return json(error.status, { error: error.code, message });
}

/** What the log line says of a decided callback; the metric dimension `event` stays bounded. */
function describe(decision: Decision): Partial<CallbackRecord> {
  switch (decision.action) {
    case 'ignore':
      return {
        ...eventName(decision.envelope.event),
        appId: decision.envelope.appId,
        callId: decision.callId,
      };
    case 'quarantine':
      return {
        ...eventName(decision.event),
        appId: decision.appId,
        callId: decision.callId,
        id: decision.message.id,
        reason: decision.problem.reason,
        error: decision.problem.message,
      };
    case 'enqueue': {
      const { callback } = decision;
      return {
        event: callback.event,
        rawEvent: callback.event === 'unknown' ? callback.rawEvent : undefined,
        appId: callback.appId,
        callId: callIdOf(callback),
        id: decision.message.deduplicationId,
      };
    }
  }
}

function eventName(sent: string | undefined): Pick<CallbackRecord, 'event' | 'rawEvent'> {
  if (sent !== undefined && isCallEvent(sent)) return { event: sent };
  return { event: 'unknown', rawEvent: sent };
}

function describeCause(cause: unknown): string | undefined {
  if (cause instanceof Error) {
    const inner =
      cause.cause instanceof Error ? ` (${cause.cause.name}: ${cause.cause.message})` : '';
    return `${cause.name}: ${cause.message}${inner}`;
  }
  return cause === undefined ? undefined : String(cause);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function json(statusCode: number, body: object): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
