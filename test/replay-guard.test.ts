import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { replayGuardFromConfig } from '../lambda/adapters/replay-guard.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import type { CallbackHandler } from '../lambda/handler.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { type LocalTable, startLocalReplayTable } from '../local/dynamo-table.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, closedPortEndpoint, uniqueCallId } from './support.js';

const SECRET = 'replay-secret';
let sqs: LocalSqs;
let reader: SQSClient;
let table: LocalTable;
let guarded: CallbackHandler;

function environment(overrides: Record<string, string> = {}) {
  return {
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    REPLAY_TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    FORWARD_EVENTS: 'call_reject',
    ...overrides,
  };
}
const withGuard = (env: Record<string, string>) =>
  createHandlerFromEnvironment(env, { replayGuard: replayGuardFromConfig });
const { send, post } = callbackSender(SECRET, () => guarded);
const queued = () => drainQueue(reader, sqs.queueUrl);

beforeAll(async () => {
  sqs = await startLocalSqs();
  reader = localSqsClient(sqs.endpoint);
  table = await startLocalReplayTable();
  guarded = withGuard(environment());
});
afterAll(async () => {
  reader.destroy();
  await sqs.close();
  await table.close();
});

describe('the replay guard', () => {
  it('accepts a callback, and its identical retry, enqueuing it once', async () => {
    const request = signCallback(callRejectFields({ call_id: uniqueCallId() }), { secret: SECRET });
    expect((await send(request.body)).status).toBe(200);
    expect((await send(request.body)).status).toBe(200);
    expect(await queued()).toHaveLength(1);
  });

  it.each(['on', 'off'])(
    'with the guard %s, 25 replays of one signed unreadable body leave one quarantine message',
    async (guard) => {
      const { REPLAY_TABLE_NAME, ...unguarded } = environment({
        QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
      });
      const handler =
        guard === 'on'
          ? withGuard({ ...unguarded, REPLAY_TABLE_NAME })
          : createHandlerFromEnvironment(unguarded);
      // user_id as a list: signed, fresh, but not readable as a call_reject.
      const captured = signCallback(
        { ...callRejectFields({ call_id: uniqueCallId() }), user_id: ['bob'] },
        { secret: SECRET },
      );
      const answers = [];
      for (let i = 0; i < 25; i++) answers.push(await send(captured.body, { via: handler }));
      const id = answers[0]?.body.id;
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(answers).toEqual(
        Array.from({ length: 25 }, () => ({ status: 200, body: { status: 'quarantined', id } })),
      );
      const kept = await drainQueue(reader, sqs.quarantineQueueUrl);
      expect(kept.map((m) => (m.body as { id: string }).id)).toEqual([id]);
    },
  );

  it('still accepts ZEGOCLOUD’s re-signed retries (new timestamp and nonce)', async () => {
    const fields = callRejectFields({ call_id: uniqueCallId() });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(fields, { timestamp: now })).status).toBe(200);
    expect((await post(fields, { timestamp: now + 2 })).status).toBe(200);
    expect(await queued()).toHaveLength(1);
  });

  it('refuses a captured signature attached to another body, with 401 and nothing enqueued', async () => {
    const genuine = signCallback(callRejectFields({ call_id: uniqueCallId(), user_id: 'bob' }), {
      secret: SECRET,
    });
    expect((await send(genuine.body)).status).toBe(200);
    await queued();
    const forged = genuine.body.replace('"user_id":"bob"', '"user_id":"mallory"');
    expect(await send(forged)).toEqual({
      status: 401,
      body: { error: 'replayed_signature', message: 'signature already used with another body' },
    });
    expect(await queued()).toHaveLength(0);
  });

  it('refuses every re-cased spelling of a captured signature carrying another body', async () => {
    const genuine = signCallback(callRejectFields({ call_id: uniqueCallId(), user_id: 'bob' }), {
      secret: SECRET,
    });
    expect((await send(genuine.body)).status).toBe(200);
    await queued();
    const signature = (JSON.parse(genuine.body) as { signature: string }).signature;
    const spellings = [
      signature.toUpperCase(),
      // Every other letter upper-cased: one of the ~2^15 spellings hex accepts.
      [...signature].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join(''),
    ].filter((spelling) => spelling !== signature);
    expect(spellings.length).toBeGreaterThan(0);
    for (const spelling of spellings) {
      const forged = genuine.body
        .replace(signature, spelling)
        .replace('"user_id":"bob"', '"user_id":"mallory"');
      expect((await send(forged)).body.error).toBe('replayed_signature');
    }
    expect(await queued()).toHaveLength(0);
  });

  it('records a refused replay as a replay, before reading its event or AppID', async () => {
    const genuine = signCallback(callRejectFields({ call_id: uniqueCallId() }), { secret: SECRET });
    expect((await send(genuine.body)).status).toBe(200);
    await queued();
    // A forged event name and a foreign AppID would be a 403 or a new metric series if read first.
    const forged = genuine.body
      .replace('"event":"call_reject"', '"event":"made_up_event"')
      .replace('"appid":"1234567890"', '"appid":"42"');
    const pinned = withGuard(environment({ ZEGO_APP_ID: '1234567890' }));
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    let response: Awaited<ReturnType<typeof send>>;
    try {
      response = await send(forged, { via: pinned });
    } finally {
      spy.mockRestore();
    }
    expect(response.body.error).toBe('replayed_signature');
    const line = JSON.parse(lines.join('').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ outcome: 'refused', reason: 'replay', event: 'unverified' });
    expect(lines.join('')).not.toContain('made_up_event');
  });

  it('refuses the signature of an ignored event reused to carry a forwarded one', async () => {
    const ignored = signCallback(
      {
        appid: '1',
        event: 'call_accept',
        call_id: uniqueCallId(),
        user_id: 'bob',
        extend_data: '',
      },
      { secret: SECRET },
    );
    expect((await send(ignored.body)).body).toEqual({ status: 'ignored' });
    const forged = ignored.body.replace('"event":"call_accept"', '"event":"call_reject"');
    expect((await send(forged)).status).toBe(401);
    expect(await queued()).toHaveLength(0);
  });

  it('stores digests with an expiry past the window, never a signature', async () => {
    const client = new DynamoDBClient({ endpoint: table.endpoint });
    const { Items = [] } = await client.send(new ScanCommand({ TableName: table.tableName }));
    client.destroy();
    expect(Items.length).toBeGreaterThanOrEqual(4);
    for (const item of Items) {
      expect(Object.keys(item).sort()).toEqual(['bodyDigest', 'expiresAt', 'pk']);
      expect(item.pk?.S).toMatch(/^[0-9a-f]{64}$/);
      const expiresAt = Number(item.expiresAt?.N);
      expect(expiresAt - Date.now() / 1000).toBeGreaterThan(300);
      expect(expiresAt - Date.now() / 1000).toBeLessThan(300 + 60 + 30);
    }
  });

  it('answers 503 when its table cannot be written, so ZEGOCLOUD retries', async () => {
    const down = withGuard(environment({ AWS_ENDPOINT_URL_DYNAMODB: await closedPortEndpoint() }));
    const response = await post(callRejectFields({ call_id: uniqueCallId() }), { via: down });
    expect(response).toEqual({
      status: 503,
      body: { error: 'replay_guard_unavailable', message: 'temporarily unavailable; retry later' },
    });
    expect(await queued()).toHaveLength(0);
  });

  it('will not run unguarded: a table configured for a bundle without the guard answers 503', async () => {
    const unguarded = createHandlerFromEnvironment(environment());
    const response = await post(callRejectFields({ call_id: uniqueCallId() }), { via: unguarded });
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('not_configured');
  });
});
