import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JsonLogger } from '../lambda/adapters/log.js';
import { SqsSender } from '../lambda/adapters/queue.js';
import { DynamoReplayGuard } from '../lambda/adapters/replay-guard.js';
import {
  perCallbackClientSettings,
  sdkClientSettings,
} from '../lambda/adapters/sdk-client-settings.js';
import { SecretsManagerSecrets } from '../lambda/adapters/secrets.js';
import type { CallbackMessage } from '../lambda/core/message.js';
import type { QuarantinedCallback } from '../lambda/core/quarantine.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { type CallbackHandler, createHandler } from '../lambda/handler.js';
import {
  type BodyShape,
  type CallbackValue,
  callRejectFields,
  encodeCallback,
  signCallback,
} from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { startFakeSecretsManager } from './fake-secrets-manager.js';
import {
  callbackSender,
  closedPortEndpoint,
  startBlackHole,
  uniqueCallId,
  unixNow,
} from './support.js';

const SECRET = 'handler-test-secret';

let sqs: LocalSqs;
let reader: SQSClient;
let handler: CallbackHandler;

function environment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    QUEUE_URL: sqs.queueUrl,
    QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    ...overrides,
  };
}

const { post, send } = callbackSender(SECRET, () => handler);
const queued = () => drainQueue(reader, sqs.queueUrl);
const quarantined = () => drainQueue(reader, sqs.quarantineQueueUrl);
const now = unixNow;

beforeAll(async () => {
  sqs = await startLocalSqs();
  reader = localSqsClient(sqs.endpoint);
  handler = createHandlerFromEnvironment(environment());
});

afterEach(async () => {
  // Every test leaves the queues empty, so that counts in the next one are its own.
  await queued();
  await quarantined();
});

afterAll(async () => {
  reader.destroy();
  await sqs.close();
});

describe('a signed call_reject', () => {
  it('is answered 200 only once its message is on the queue, in the documented contract', async () => {
    const callId = uniqueCallId();
    const before = Date.now();
    const response = await post(callRejectFields({ call_id: callId }), { timestamp: now() });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('enqueued');

    const messages = await queued();
    expect(messages).toHaveLength(1);
    const [message] = messages;
    const body = message?.body as CallbackMessage;
    expect(body).toEqual({
      schemaVersion: 1,
      id: response.body.id,
      event: 'call_reject',
      appId: 1234567890,
      callId,
      userId: 'callee-1',
      extendData: '{"reason":"busy"}',
      timestamp: expect.any(Number),
      receivedAt: expect.any(String),
    });
    expect(Date.parse(body.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(message?.groupId).toBe(callId);
    expect(message?.deduplicationId).toBe(body.id);
    expect(message?.attributes).toEqual({ event: 'call_reject', appId: '1234567890' });
    // The message never carries what would let someone forge a callback.
    expect(JSON.stringify(body)).not.toMatch(/signature|nonce|handler-test-secret/);
  });

  it.each([
    ['json', false],
    ['json', true],
    ['urlencoded-json', false],
    ['urlencoded-json', true],
    ['form', false],
    ['form', true],
  ] as [BodyShape, boolean][])('is accepted as a %s body (base64: %s)', async (shape, base64) => {
    const callId = uniqueCallId();
    const response = await post(callRejectFields({ call_id: callId, extend_data: 'a&b=c %+é"' }), {
      shape,
      base64,
    });
    expect(response.status).toBe(200);
    const [message] = await queued();
    expect(message?.body).toMatchObject({ callId, extendData: 'a&b=c %+é"' });
  });

  it('is accepted with appid, nonce and timestamp as JSON integers, a nonce beyond 2^53 included', async () => {
    const callId = uniqueCallId();
    const response = await post(callRejectFields({ appid: 1234567890, call_id: callId }), {
      nonce: 18446744073709551557n,
      timestamp: BigInt(now()),
    });
    expect(response.status).toBe(200);
    expect((await queued())[0]?.body).toMatchObject({ appId: 1234567890, callId });
  });

  it('keeps every digit of a call_id sent as a JSON number', async () => {
    const response = await post(callRejectFields({ call_id: 9223372036854775807n }));
    expect(response.status).toBe(200);
    const [message] = await queued();
    expect(message?.body).toMatchObject({ callId: '9223372036854775807' });
    expect(message?.groupId).toBe('9223372036854775807');
  });

  it('is accepted with Content-Type application/json, with or without charset, or none', async () => {
    for (const contentType of ['application/json', 'application/json; charset=UTF-8', undefined]) {
      const request = signCallback(callRejectFields({ call_id: uniqueCallId() }), {
        secret: SECRET,
      });
      expect((await send(request.body, { contentType })).status).toBe(200);
    }
    expect(await queued()).toHaveLength(3);
  });

  it('collapses ZEGOCLOUD retries (re-signed, later timestamps) into one message', async () => {
    const fields = callRejectFields({ call_id: uniqueCallId() });
    const first = now() - 62;
    const ids = new Set<unknown>();
    for (const delay of [0, 2, 6, 14, 30, 62]) {
      const response = await post(fields, { timestamp: first + delay });
      expect(response.status).toBe(200);
      ids.add(response.body.id);
    }
    expect(ids.size).toBe(1);
    expect(await queued()).toHaveLength(1);
  });

  it('gives each callee of a call its own message, in the call’s message group', async () => {
    const callId = uniqueCallId();
    for (const user of ['a', 'b', 'c']) {
      expect((await post(callRejectFields({ call_id: callId, user_id: user }))).status).toBe(200);
    }
    const messages = await queued();
    expect(
      messages.map((m) => (m.body as CallbackMessage & { userId: string }).userId).sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(new Set(messages.map((m) => m.groupId))).toEqual(new Set([callId]));
  });

  it('carries an absent extend_data as an empty string', async () => {
    const fields = callRejectFields({ call_id: uniqueCallId() });
    delete fields.extend_data;
    expect((await post(fields)).status).toBe(200);
    expect((await queued())[0]?.body).toMatchObject({ extendData: '' });
  });
});

describe('events that are not forwarded', () => {
  it.each([
    ['call_create', { caller: 'u', user_ids: ['a'], create_time: 1, timeout: 30, payload: '' }],
    ['call_accept', { user_id: 'a', extend_data: '' }],
    ['call_cancel', { user_ids: ['a'], reason: 'caller_cancel', payload: '' }],
    ['call_timeout', { user_ids: ['a'] }],
    ['call_something_new', { whatever: 'x' }],
  ])('answers a signed %s with 200 and enqueues nothing', async (event, extra) => {
    const response = await post({ appid: '1', event, call_id: uniqueCallId(), ...extra });
    expect(response).toEqual({ status: 200, body: { status: 'ignored' } });
    expect(await queued()).toHaveLength(0);
  });

  it('forwards other events when FORWARD_EVENTS lists them', async () => {
    const forwarding = createHandlerFromEnvironment(
      environment({ FORWARD_EVENTS: 'call_reject, call_accept,call_timeout' }),
    );
    const callId = uniqueCallId();
    const accept = await post(
      { appid: '7', event: 'call_accept', call_id: callId, user_id: 'a', extend_data: 'x' },
      { via: forwarding },
    );
    const timeout = await post(
      { appid: '7', event: 'call_timeout', call_id: callId, user_ids: ['b', 'c'] },
      { via: forwarding, shape: 'form' },
    );
    expect([accept.status, timeout.status]).toEqual([200, 200]);
    const bodies = (await queued()).map((m) => m.body);
    expect(bodies).toEqual([
      expect.objectContaining({ event: 'call_accept', callId, userId: 'a', extendData: 'x' }),
      expect.objectContaining({ event: 'call_timeout', callId, userIds: ['b', 'c'] }),
    ]);
  });
});

describe('refused callbacks', () => {
  afterEach(async () => {
    expect(await queued()).toHaveLength(0);
  });

  it('refuses a callback without a signature with 401', async () => {
    const fields = { ...callRejectFields(), timestamp: now(), nonce: '1' };
    const response = await send(encodeCallback(fields, 'json').body);
    expect(response).toEqual({
      status: 401,
      body: { error: 'invalid_signature', message: 'signature missing' },
    });
  });

  it('refuses a callback signed with another secret with 401', async () => {
    const response = await post(callRejectFields(), { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_signature');
  });

  it('refuses a valid signature attached to a changed nonce with 401', async () => {
    const request = signCallback(callRejectFields(), { secret: SECRET, nonce: '111' });
    const response = await send(request.body.replace('"nonce":"111"', '"nonce":"112"'));
    expect(response.status).toBe(401);
  });

  it('refuses a correctly signed but stale callback with 401 stale_timestamp', async () => {
    const response = await post(callRejectFields(), { timestamp: now() - 301 });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('stale_timestamp');
  });

  it('refuses a correctly signed callback from the future with 401 future_timestamp', async () => {
    const response = await post(callRejectFields(), { timestamp: now() + 301 });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('future_timestamp');
  });

  it('accepts any timestamp when the window is 0', async () => {
    const lenient = createHandlerFromEnvironment(environment({ SIGNATURE_TOLERANCE_SECONDS: '0' }));
    const response = await post(callRejectFields({ call_id: uniqueCallId() }), {
      timestamp: 1499676978,
      via: lenient,
    });
    expect(response.status).toBe(200);
    expect(await queued()).toHaveLength(1);
  });

  it('refuses a callback for another AppID with 403 when ZEGO_APP_ID is set', async () => {
    const pinned = createHandlerFromEnvironment(environment({ ZEGO_APP_ID: '1234567890' }));
    const other = await post(callRejectFields({ appid: '99' }), { via: pinned });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('app_id_mismatch');
    const mine = await post(callRejectFields({ appid: 1234567890, call_id: uniqueCallId() }), {
      via: pinned,
    });
    expect(mine.status).toBe(200);
    expect(await queued()).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{"appid": '],
    ['a JSON array', '[]'],
    ['plain text', 'call_reject'],
    ['empty', ''],
  ])('refuses a body that is %s with 400 and a JSON error', async (_, body) => {
    const response = await send(body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'malformed_body', message: expect.any(String) });
  });

  it.each([
    ['call_id missing', { call_id: undefined }, 'call_id'],
    ['user_id missing', { user_id: undefined }, 'user_id'],
    ['call_id empty', { call_id: '' }, 'call_id'],
    ['call_id negative', { call_id: -5 }, 'call_id'],
    ['call_id fractional', { call_id: 1.5 }, 'call_id'],
    ['user_id a list', { user_id: ['a'] }, 'user_id'],
    ['extend_data a number', { extend_data: 5 }, 'extend_data'],
    ['appid not numeric', { appid: 'abc' }, 'appid'],
    ['appid missing', { appid: undefined }, 'appid'],
    ['event missing', { event: undefined }, 'event'],
    ['event a number', { event: 3 }, 'event'],
  ])(
    'quarantines a signed call_reject with %s: 200, kept whole with the path of the problem',
    async (_, change, path) => {
      const fields = callRejectFields();
      for (const [key, value] of Object.entries(change)) {
        if (value === undefined) delete fields[key];
        else fields[key] = value as CallbackValue;
      }
      const response = await post(fields);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'quarantined',
        id: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(await queued()).toHaveLength(0);
      const kept = await quarantined();
      expect(kept).toHaveLength(1);
      const message = kept[0]?.body as QuarantinedCallback;
      expect(message).toMatchObject({
        schemaVersion: 1,
        reason: 'invalid_field',
        path,
        id: response.body.id,
      });
      // Every field as sent, numbers as their digits, but never the signature or the nonce.
      const expected = Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [
          key,
          typeof value === 'number' ? String(value) : value,
        ]),
      );
      expect(message.fields).toEqual({ ...expected, timestamp: expect.any(String) });
      expect(message.fields).not.toHaveProperty('signature');
      expect(message.fields).not.toHaveProperty('nonce');
    },
  );

  it('refuses with 403, not quarantines, an unusable appid when ZEGO_APP_ID is set', async () => {
    const pinned = createHandlerFromEnvironment(environment({ ZEGO_APP_ID: '1234567890' }));
    const response = await post(callRejectFields({ appid: 'abc' }), { via: pinned });
    expect(response.status).toBe(403);
    expect(await quarantined()).toHaveLength(0);
  });

  it.each(['yesterday', `0${now()}`, `+${now()}`, '-1', '1e9', `${now()}.0`, ` ${now()}`])(
    'refuses a timestamp spelt %j (one spelling per number) with 400',
    async (timestamp) => {
      expect(await post(callRejectFields(), { timestamp })).toEqual({
        status: 400,
        body: {
          error: 'invalid_field',
          message: 'timestamp: must be an integer with no sign or leading zero',
        },
      });
    },
  );

  it('refuses an oversized body with 413 without parsing it', async () => {
    const response = await send(`{"appid": "1", "extend_data": "${'x'.repeat(70_000)}"`);
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('payload_too_large');
  });
});

describe('when SQS fails', () => {
  it('answers 503 quickly when SQS is unreachable, so ZEGOCLOUD retries', async () => {
    const down = createHandlerFromEnvironment(
      environment({ AWS_ENDPOINT_URL_SQS: await closedPortEndpoint() }),
    );
    const started = Date.now();
    const response = await post(callRejectFields(), { via: down });
    expect(response).toEqual({
      status: 503,
      body: { error: 'enqueue_failed', message: 'temporarily unavailable; retry later' },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 503 within the 5-second budget when SQS accepts the connection and hangs', async () => {
    const hole = await startBlackHole();
    try {
      const hanging = createHandlerFromEnvironment(
        environment({ AWS_ENDPOINT_URL_SQS: hole.endpoint }),
      );
      const started = Date.now();
      const response = await post(callRejectFields(), { via: hanging });
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await hole.close();
    }
  });

  it('answers 503 when a callback needs the quarantine queue and it is unreachable or unset', async () => {
    const unfit = callRejectFields({ user_id: true });
    const down = createHandlerFromEnvironment(
      environment({ AWS_ENDPOINT_URL_SQS: await closedPortEndpoint() }),
    );
    expect((await post(unfit, { via: down })).body.error).toBe('quarantine_failed');
    const { QUARANTINE_QUEUE_URL: _, ...withoutQuarantine } = environment();
    const unset = createHandlerFromEnvironment(withoutQuarantine);
    expect(await post(unfit, { via: unset })).toEqual({
      status: 503,
      body: { error: 'not_configured', message: 'temporarily unavailable; retry later' },
    });
  });

  it('answers 503 not_configured when the secret or queue is missing, and enqueues nothing', async () => {
    const unconfigured = createHandlerFromEnvironment({ AWS_ENDPOINT_URL_SQS: sqs.endpoint });
    const response = await post(callRejectFields(), { via: unconfigured });
    expect(response).toEqual({
      status: 503,
      body: { error: 'not_configured', message: 'temporarily unavailable; retry later' },
    });
    expect(await queued()).toHaveLength(0);
  });
});

describe('one budget for the whole callback', () => {
  it('answers non-2xx within 5 s when every dependency is slow at once', async () => {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const secrets = await startFakeSecretsManager({ AWSCURRENT: SECRET });
    // The first attempt of each of the two reads hangs; the retries answer after 200 ms.
    secrets.hang = 2;
    secrets.delay = 200;
    // A replay-guard table that accepts each write after 800 ms, within the guard's own 1 s.
    let writes = 0;
    const slowTable = createServer((request, response) => {
      writes += 1;
      request.resume();
      setTimeout(() => {
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end('{}');
      }, 800);
    });
    await new Promise<void>((resolve) => slowTable.listen(0, '127.0.0.1', resolve));
    const tableEndpoint = `http://127.0.0.1:${(slowTable.address() as AddressInfo).port}`;
    const hole = await startBlackHole();
    try {
      const slow = createHandler({
        policy: { toleranceSeconds: 300, forwardEvents: new Set(['call_reject']) },
        secrets: new SecretsManagerSecrets(
          new SecretsManagerClient({
            ...sdkClientSettings,
            endpoint: secrets.endpoint,
            credentials,
          }),
          secrets.secretId,
        ),
        replayGuard: new DynamoReplayGuard(
          'guard',
          300,
          new DynamoDBClient({
            ...perCallbackClientSettings,
            endpoint: tableEndpoint,
            credentials,
          }),
        ),
        queue: new SqsSender(
          new SQSClient({ ...perCallbackClientSettings, endpoint: hole.endpoint, credentials }),
          `${hole.endpoint}/000000000000/q.fifo`,
        ),
        log: new JsonLogger('ERROR', 'Test', () => {}),
        now: () => new Date(),
      });
      const started = performance.now();
      const response = await post(callRejectFields(), { via: slow });
      const elapsed = performance.now() - started;
      expect(response).toEqual({
        status: 503,
        body: { error: 'enqueue_failed', message: 'temporarily unavailable; retry later' },
      });
      // Every dependency was slow: both first reads hung and were retried; the guard wrote once.
      expect([secrets.calls, writes]).toEqual([4, 1]);
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      await hole.close();
      await secrets.close();
      await new Promise((resolve) => {
        slowTable.closeAllConnections();
        slowTable.close(resolve);
      });
    }
  });
});
