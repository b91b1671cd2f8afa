import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CallbackRecord } from '../lambda/adapters/log.js';
import type { ReplayGuard } from '../lambda/adapters/replay-guard.js';
import type { SecretSource } from '../lambda/adapters/secrets.js';
import * as errors from '../lambda/core/errors.js';
import {
  CallbackError,
  EnqueueError,
  NotConfiguredError,
  QuarantineError,
  ReplayedSignatureError,
  ReplayGuardError,
  SecretUnavailableError,
} from '../lambda/core/errors.js';
import type { SignedFields } from '../lambda/core/signature.js';
import { createUnconfiguredHandler } from '../lambda/handler.js';
import { type CallbackValue, signCallback } from '../local/callback-signer.js';
import { FAKE_SECRET, fakeReceiver, NOW_SECONDS } from './fake-receiver.js';
import { apiEvent } from './support.js';

/**
 * What ZEGOCLOUD gets back for every outcome (status, content type, JSON body, exactly) and
 * the one log line the operator gets for it (its metrics' dimensions included).
 */
const REJECT: Record<string, CallbackValue> = {
  appid: '7',
  event: 'call_reject',
  call_id: '35',
  user_id: 'bob',
  extend_data: 'busy',
};
const RETRY_LATER = 'temporarily unavailable; retry later';

/** The handler's raw result for one signed (or raw) body, and its log records without latency. */
async function answer(
  receiver: ReturnType<typeof fakeReceiver>,
  body: string | Record<string, CallbackValue>,
) {
  const request = typeof body === 'string' ? body : signedBody(body);
  const result = await receiver.handler(apiEvent({ body: request }, 'request-1'));
  const records = receiver.records.map(({ latencyMs, ...rest }) => {
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThan(5_000);
    return rest;
  });
  return { result, records };
}
const signedBody = (fields: Record<string, CallbackValue>, secret = FAKE_SECRET) =>
  signCallback(fields, { secret, timestamp: NOW_SECONDS, nonce: '42' }).body;

const reply = (statusCode: number, body: object) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const refusedWith = (statusCode: number, error: string, message: string) =>
  reply(statusCode, { error, message });

/** The fields of a log record that a test cares about (undefined ones compare as absent). */
const line = (record: Partial<Record<keyof CallbackRecord, unknown>>) =>
  expect.objectContaining(record);

describe('a callback that is stored or deliberately left alone: 200', () => {
  it('enqueued: its id, and a line naming its event, AppID, call and SQS message', async () => {
    const receiver = fakeReceiver();
    const { result, records } = await answer(receiver, REJECT);
    const id = receiver.sent[0]?.deduplicationId;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(result).toEqual(reply(200, { status: 'enqueued', id }));
    expect(records).toEqual([
      {
        outcome: 'enqueued',
        status: 200,
        event: 'call_reject',
        rawEvent: undefined,
        appId: 7,
        callId: '35',
        id,
        messageId: 'message-1',
        requestId: 'request-1',
      },
    ]);
  });

  it('enqueued as an unknown event: counted as unknown, its name in the line', async () => {
    const receiver = fakeReceiver();
    const { result, records } = await answer(receiver, { appid: '7', event: 'call_new' });
    const id = receiver.sent[0]?.deduplicationId;
    expect(result).toEqual(reply(200, { status: 'enqueued', id }));
    expect(records).toEqual([
      {
        outcome: 'enqueued',
        status: 200,
        event: 'unknown',
        rawEvent: 'call_new',
        appId: 7,
        callId: undefined,
        id,
        messageId: 'message-1',
        requestId: 'request-1',
      },
    ]);
  });

  it('ignored, a known event not forwarded: nothing stored, its call in the line', async () => {
    const receiver = fakeReceiver({ policy: { forwardEvents: new Set(['call_accept']) } });
    const { result, records } = await answer(receiver, { ...REJECT, call_id: 35n });
    expect(result).toEqual(reply(200, { status: 'ignored' }));
    expect(receiver.sent).toEqual([]);
    expect(records).toEqual([
      {
        outcome: 'ignored',
        status: 200,
        event: 'call_reject',
        appId: 7,
        callId: '35',
        messageId: undefined,
        requestId: 'request-1',
      },
    ]);
  });

  it('ignored, an unknown event when unknown events are not forwarded', async () => {
    for (const forwardUnknownEvents of [false, undefined]) {
      const receiver = fakeReceiver({ policy: { forwardUnknownEvents } });
      const { result, records } = await answer(receiver, {
        appid: '7',
        event: 'call_new',
        call_id: '',
      });
      expect(result).toEqual(reply(200, { status: 'ignored' }));
      expect(receiver.sent).toEqual([]);
      expect(records).toEqual([
        line({ outcome: 'ignored', event: 'unknown', rawEvent: 'call_new', callId: undefined }),
      ]);
    }
  });

  it('quarantined: the id of what was kept, and a WARN-worthy line with the problem', async () => {
    const receiver = fakeReceiver();
    const { result, records } = await answer(receiver, { ...REJECT, user_id: '' });
    const kept = JSON.parse(receiver.kept[0] ?? '{}') as { id: string };
    expect(result).toEqual(reply(200, { status: 'quarantined', id: kept.id }));
    expect(records).toEqual([
      {
        outcome: 'quarantined',
        status: 200,
        event: 'call_reject',
        appId: 7,
        callId: '35',
        id: kept.id,
        reason: 'invalid_field',
        error: 'user_id: must be a non-empty string or a non-negative integer',
        messageId: 'kept-1',
        requestId: 'request-1',
      },
    ]);
  });

  it('quarantined with an event that is not a name, or not known: counted as unknown', async () => {
    for (const [event, rawEvent] of [
      [5, undefined],
      ['call_new', 'call_new'],
    ] as const) {
      const receiver = fakeReceiver();
      const { records } = await answer(receiver, { appid: 'x', event, call_id: 9n });
      expect(records).toEqual([
        line({
          outcome: 'quarantined',
          event: 'unknown',
          rawEvent,
          appId: undefined,
          callId: '9',
          reason: 'invalid_field',
        }),
      ]);
    }
  });
});

describe('a callback refused for what it is: 4xx, the reason said', () => {
  it.each([
    [
      'too large',
      `{"a":"${'x'.repeat(65_536)}"}`,
      413,
      'payload_too_large',
      'too_large',
      'body exceeds 65536 bytes',
    ],
    [
      'not JSON',
      '{"appid":',
      400,
      'malformed_body',
      'malformed',
      'invalid JSON at position 9: unexpected character',
    ],
    ['empty', '', 400, 'malformed_body', 'malformed', 'empty body'],
    [
      'unsigned',
      '{"appid":"7","nonce":"1","timestamp":"1"}',
      401,
      'invalid_signature',
      'signature',
      'signature missing',
    ],
    [
      'with a bad nonce',
      `{"signature":"${'0'.repeat(40)}","timestamp":"1"}`,
      400,
      'invalid_field',
      'invalid_field',
      'nonce: must be a non-empty string or a number',
    ],
  ])('%s', async (_, body, status, error, reason, message) => {
    const receiver = fakeReceiver();
    const { result, records } = await answer(receiver, body);
    expect(result).toEqual(refusedWith(status, error, message));
    expect(records).toEqual([
      {
        outcome: 'refused',
        status,
        reason,
        error: message,
        cause: undefined,
        requestId: 'request-1',
      },
    ]);
  });

  it('signed with another secret: 401, nothing stored', async () => {
    const receiver = fakeReceiver();
    const { result } = await answer(receiver, signedBody(REJECT, 'not-the-secret'));
    expect(result).toEqual(refusedWith(401, 'invalid_signature', 'signature does not match'));
    expect(receiver.sent).toEqual([]);
  });

  it.each([
    [-301, 'stale_timestamp', 'stale', 'timestamp is outside the accepted window'],
    [301, 'future_timestamp', 'future', 'timestamp is in the future'],
  ])('signed %s s away from now: 401', async (offset, error, reason, message) => {
    const receiver = fakeReceiver();
    const body = signCallback(REJECT, {
      secret: FAKE_SECRET,
      timestamp: NOW_SECONDS + offset,
    }).body;
    const { result, records } = await answer(receiver, body);
    expect(result).toEqual(refusedWith(401, error, message));
    expect(records).toEqual([line({ outcome: 'refused', status: 401, reason })]);
  });

  it('signed 300 s away on either side of a clock at .999 s: accepted', async () => {
    const receiver = fakeReceiver({ now: () => new Date((NOW_SECONDS + 0.999) * 1000) });
    for (const offset of [-300, 300]) {
      const body = signCallback(
        { ...REJECT, extend_data: String(offset) },
        { secret: FAKE_SECRET, timestamp: NOW_SECONDS + offset },
      ).body;
      expect((await answer(receiver, body)).result.statusCode).toBe(200);
    }
    expect(receiver.sent).toHaveLength(2);
  });

  it('for another AppID: 403, after the signature, counted as app_id', async () => {
    const receiver = fakeReceiver({ policy: { appId: 8 } });
    const { result, records } = await answer(receiver, REJECT);
    expect(result).toEqual(refusedWith(403, 'app_id_mismatch', 'callback is for AppID 7'));
    expect(records).toEqual([line({ outcome: 'refused', status: 403, reason: 'app_id' })]);
  });

  it('a captured signature with another body: 401 replayed_signature', async () => {
    const replayGuard: ReplayGuard = {
      admit: async () => {
        throw new ReplayedSignatureError('signature already used with another body');
      },
    };
    const receiver = fakeReceiver({ replayGuard });
    const { result, records } = await answer(receiver, REJECT);
    expect(result).toEqual(
      refusedWith(401, 'replayed_signature', 'signature already used with another body'),
    );
    expect(records).toEqual([line({ outcome: 'refused', status: 401, reason: 'replay' })]);
    expect(receiver.sent).toEqual([]);
  });
});

describe('a callback that could not be handled now: 5xx, retried by ZEGOCLOUD', () => {
  const failing = (error: unknown) => async (): Promise<never> => {
    throw error;
  };

  it.each([
    [
      'the queue failed',
      {
        queue: {
          send: failing(
            new EnqueueError('the queue did not accept the message', {
              cause: new Error('socket hang up'),
            }),
          ),
        },
      },
      503,
      'enqueue_failed',
      'enqueue_failed',
      'Error: socket hang up',
    ],
    [
      'the quarantine queue failed',
      { quarantine: { send: failing(new QuarantineError('no', { cause: 'throttled' })) } },
      503,
      'quarantine_failed',
      'quarantine_failed',
      'throttled',
    ],
    [
      'the secret could not be read',
      {
        secrets: {
          current: failing(
            new SecretUnavailableError('the callback secret could not be read', {
              cause: Object.assign(new Error('timeout'), { cause: new TypeError('aborted') }),
            }),
          ),
          refreshed: failing(new Error('not called')),
        },
      },
      503,
      'secret_unavailable',
      'secret_unavailable',
      'Error: timeout (TypeError: aborted)',
    ],
    [
      'the replay guard failed',
      { replayGuard: { admit: failing(new ReplayGuardError('down')) } },
      503,
      'replay_guard_unavailable',
      'guard_failed',
      undefined,
    ],
    [
      'the secret is not set',
      {
        secrets: {
          current: failing(new NotConfiguredError('the callback secret is empty')),
          refreshed: failing(new Error('not called')),
        },
      },
      503,
      'not_configured',
      'not_configured',
      undefined,
    ],
    [
      'a dependency threw something that is not ours',
      { queue: { send: failing(new RangeError('bug')) } },
      500,
      'internal_error',
      'internal',
      'RangeError: bug',
    ],
    [
      'a dependency threw a string',
      { queue: { send: failing('bug') } },
      500,
      'internal_error',
      'internal',
      'bug',
    ],
  ])(
    '%s: the details for the operator only',
    async (_, dependencies, status, error, reason, cause) => {
      const body = { ...REJECT, user_id: 'quarantine' in dependencies ? '' : 'bob' };
      const receiver = fakeReceiver(dependencies as never);
      const { result, records } = await answer(receiver, body);
      expect(result).toEqual(refusedWith(status, error, RETRY_LATER));
      expect(records).toEqual([line({ outcome: 'failed', status, reason, cause })]);
    },
  );

  it('the queue failed: the line still names the callback it could not store', async () => {
    const receiver = fakeReceiver({ queue: { send: failing(new EnqueueError('lost')) } });
    const { records } = await answer(receiver, REJECT);
    expect(records).toEqual([
      {
        outcome: 'failed',
        event: 'call_reject',
        rawEvent: undefined,
        appId: 7,
        callId: '35',
        id: expect.stringMatching(/^[0-9a-f]{64}$/),
        status: 503,
        reason: 'enqueue_failed',
        error: 'lost',
        cause: undefined,
        requestId: 'request-1',
      },
    ]);
  });

  it('a bug of ours: the line calls it an unexpected internal error and names what was thrown', async () => {
    const receiver = fakeReceiver({ queue: { send: failing(new TypeError('x is undefined')) } });
    const { records } = await answer(receiver, REJECT);
    expect(records).toEqual([
      line({
        outcome: 'failed',
        status: 500,
        reason: 'internal',
        error: 'unexpected internal error',
        cause: 'TypeError: x is undefined',
      }),
    ]);
  });

  it('a callback to quarantine with no quarantine queue: 503 not_configured, nothing lost', async () => {
    const receiver = fakeReceiver({ quarantine: undefined });
    const { result, records } = await answer(receiver, { ...REJECT, user_id: '' });
    expect(result).toEqual(refusedWith(503, 'not_configured', RETRY_LATER));
    expect(records).toEqual([
      line({
        outcome: 'failed',
        reason: 'not_configured',
        error: 'a signed callback needs the quarantine queue, and QUARANTINE_QUEUE_URL is not set',
      }),
    ]);
  });

  it('the function’s settings are invalid: 503 for every callback, the reason in the line', async () => {
    const records: CallbackRecord[] = [];
    const handler = createUnconfiguredHandler(new NotConfiguredError('QUEUE_URL: is required'), {
      callback: (record) => records.push(record),
    });
    expect(await handler(apiEvent({ body: '{}' }, 'request-2'))).toEqual(
      refusedWith(503, 'not_configured', RETRY_LATER),
    );
    expect(records).toEqual([
      {
        outcome: 'failed',
        status: 503,
        reason: 'not_configured',
        error: 'QUEUE_URL: is required',
        cause: undefined,
        requestId: 'request-2',
        latencyMs: expect.any(Number),
      },
    ]);
  });
});

describe('the secret and the replay guard', () => {
  /** A source whose cached list is `current` and whose re-read gives `fresh`. */
  function rotating(current: readonly string[], fresh: readonly string[]) {
    const calls = { current: 0, refreshed: 0 };
    const secrets: SecretSource = {
      current: async (_withinMs, reread) => {
        calls[reread ? 'refreshed' : 'current'] += 1;
        return reread ? fresh : current;
      },
    };
    return { secrets, calls };
  }

  it('re-reads the secret once when no cached one matches, and accepts the rotated one', async () => {
    const { secrets, calls } = rotating(['old'], [FAKE_SECRET]);
    const receiver = fakeReceiver({ secrets });
    expect((await answer(receiver, REJECT)).result.statusCode).toBe(200);
    expect(calls).toEqual({ current: 1, refreshed: 1 });
  });

  it('does not re-read when the cached secret matches', async () => {
    const { secrets, calls } = rotating([FAKE_SECRET], ['other']);
    const receiver = fakeReceiver({ secrets });
    expect((await answer(receiver, REJECT)).result.statusCode).toBe(200);
    expect(calls).toEqual({ current: 1, refreshed: 0 });
  });

  it('does not re-read a secret it could not read: 503 after one read, not a second try', async () => {
    const calls = { current: 0, refreshed: 0 };
    const secrets: SecretSource = {
      current: async (_withinMs, reread) => {
        calls[reread ? 'refreshed' : 'current'] += 1;
        if (reread) return [FAKE_SECRET];
        throw new SecretUnavailableError('the callback secret could not be read');
      },
    };
    const { result } = await answer(fakeReceiver({ secrets }), REJECT);
    expect(result).toEqual(refusedWith(503, 'secret_unavailable', RETRY_LATER));
    expect(calls).toEqual({ current: 1, refreshed: 0 });
  });

  it('refuses when the re-read secret does not match either, or no re-read was allowed', async () => {
    for (const fresh of [['newer'], undefined]) {
      const current = ['old'];
      const { secrets } = rotating(current, fresh ?? current);
      const receiver = fakeReceiver({ secrets });
      expect((await answer(receiver, REJECT)).result).toEqual(
        refusedWith(401, 'invalid_signature', 'signature does not match'),
      );
    }
  });

  it('admits every verified callback, ignored ones too, by its signature fields and body digest', async () => {
    const admitted: [SignedFields, string][] = [];
    const replayGuard: ReplayGuard = {
      admit: async (signed, digest) => {
        admitted.push([signed, digest]);
      },
    };
    const receiver = fakeReceiver({
      replayGuard,
      policy: { forwardEvents: new Set(['call_accept']) },
    });
    const body = signedBody(REJECT).replace(
      /"signature":"([0-9a-f]+)"/,
      (_, hex: string) => `"signature":"${hex.toUpperCase()}"`,
    );
    expect((await answer(receiver, body)).result).toEqual(reply(200, { status: 'ignored' }));
    const signature = (JSON.parse(body) as { signature: string }).signature.toLowerCase();
    expect(admitted).toEqual([
      [
        { signature, timestamp: String(NOW_SECONDS), nonce: '42' },
        createHash('sha256').update(body).digest('hex'),
      ],
    ]);
    // Nothing unverified reaches it.
    await answer(receiver, signedBody(REJECT, 'not-the-secret'));
    expect(admitted).toHaveLength(1);
  });
});

describe('every answer', () => {
  it('is given to an event without a request context too (a direct invocation)', async () => {
    const receiver = fakeReceiver();
    const event = apiEvent({ body: '' });
    const { requestContext: _, ...direct } = event;
    expect(await receiver.handler(direct as typeof event)).toEqual(
      refusedWith(400, 'malformed_body', 'empty body'),
    );
    expect(receiver.records).toEqual([line({ outcome: 'refused', requestId: undefined })]);
  });

  it('reads the body of a direct invocation (no isBase64Encoded) as text', async () => {
    const receiver = fakeReceiver();
    const event = apiEvent({ body: signedBody(REJECT) });
    const { requestContext: _, isBase64Encoded: __, ...direct } = event;
    expect((await receiver.handler(direct as typeof event)).statusCode).toBe(200);
    expect(receiver.records.map((record) => record.outcome)).toEqual(['enqueued']);
  });

  it('answers a direct invocation when the settings are invalid: 503, no request ID', async () => {
    const records: CallbackRecord[] = [];
    const handler = createUnconfiguredHandler(new NotConfiguredError('QUEUE_URL: is required'), {
      callback: (record) => records.push(record),
    });
    const { requestContext: _, ...direct } = apiEvent({ body: '{}' });
    expect(await handler(direct as Parameters<typeof handler>[0])).toEqual(
      refusedWith(503, 'not_configured', RETRY_LATER),
    );
    expect(records.map((record) => [record.status, record.requestId])).toEqual([[503, undefined]]);
  });

  it('logs the time it took, in milliseconds to two decimals', async () => {
    const receiver = fakeReceiver({
      queue: { send: () => new Promise((resolve) => setTimeout(() => resolve('m'), 25)) },
    });
    const started = performance.now();
    await receiver.post(REJECT);
    const took = performance.now() - started;
    const latency = receiver.records[0]?.latencyMs ?? -1;
    expect(latency).toBeGreaterThanOrEqual(20);
    expect(latency).toBeLessThanOrEqual(took + 0.01);
    expect(String(latency)).toMatch(/^\d+(\.\d{1,2})?$/);
  });

  it('names its error class in a literal, so that a minified bundle still logs it', () => {
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is new (message: string) => CallbackError =>
        typeof value === 'function' && value.prototype instanceof CallbackError,
    );
    expect(classes).toHaveLength(14);
    for (const Class of classes) expect(new Class('x').name).toBe(Class.name);
  });
});
