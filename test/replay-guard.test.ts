import { hash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../lambda/adapters/deadline.js';
import { DynamoReplayGuard, replayGuardFromConfig } from '../lambda/adapters/replay-guard.js';
import { ReplayedSignatureError, ReplayGuardError } from '../lambda/core/errors.js';
import { computeSignature } from '../lambda/core/signature.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import type { CallbackHandler } from '../lambda/handler.js';
import { callRejectFields, encodeCallback, signCallback } from '../local/callback-signer.js';
import { type LocalTable, startLocalReplayTable } from '../local/dynamo-table.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, closedPortEndpoint, uniqueCallId, unixNow } from './support.js';

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
    // The window the records' expiry is checked against below, whatever the default.
    SIGNATURE_TOLERANCE_SECONDS: '300',
    ...overrides,
  };
}
const withGuard = (env: Record<string, string>) =>
  createHandlerFromEnvironment(env, { replayGuard: replayGuardFromConfig });
const { send, post } = callbackSender(SECRET, () => guarded);
const queued = () => drainQueue(reader, sqs.queueUrl);
const sha256 = (text: string) => hash('sha256', text, 'hex');

/** The guard's record of a signature, as the table holds it. */
async function guardItem(signature: string) {
  const client = new DynamoDBClient({ endpoint: table.endpoint });
  try {
    const key = { pk: { S: sha256(signature) } };
    return (await client.send(new GetItemCommand({ TableName: table.tableName, Key: key }))).Item;
  } finally {
    client.destroy();
  }
}

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

  it('refuses the issue’s attack: a capture re-split into a timestamp with a leading zero (400)', async () => {
    for (const nonce of ['-4711820', '0012340']) {
      const timestamp = unixNow();
      const genuine = signCallback(callRejectFields({ call_id: uniqueCallId(), user_id: 'bob' }), {
        secret: SECRET,
        nonce,
        timestamp,
      });
      expect((await send(genuine.body)).status).toBe(200);
      await queued();
      const { signature } = JSON.parse(genuine.body) as { signature: string };
      // One character moved from the nonce to the front of the timestamp: the same signed string.
      const [shorter, longer] = [nonce.slice(0, -1), `0${timestamp}`];
      expect(computeSignature(SECRET, longer, shorter)).toBe(signature);
      const forged = encodeCallback(
        { ...callRejectFields({ call_id: uniqueCallId(), user_id: 'mallory' }) },
        'json',
      ).body.replace(
        /}$/,
        `,"nonce":"${shorter}","timestamp":"${longer}","signature":"${signature}"}`,
      );
      expect(await send(forged)).toEqual({
        status: 400,
        body: {
          error: 'invalid_field',
          message: 'timestamp: must be an integer with no sign or leading zero',
        },
      });
    }
    expect(await queued()).toHaveLength(0);
  });

  it('keys on the signature alone: with the time check off, every re-split of a capture is refused (ZEGOCLOUD’s sample nonce) and its record kept for ever', async () => {
    const lenient = withGuard(environment({ SIGNATURE_TOLERANCE_SECONDS: '0' }));
    const timestamp = '1499676978';
    const genuine = signCallback(callRejectFields({ call_id: uniqueCallId(), user_id: 'bob' }), {
      secret: SECRET,
      nonce: '350176',
      timestamp,
    });
    expect((await send(genuine.body, { via: lenient })).status).toBe(200);
    await queued();
    const { signature } = JSON.parse(genuine.body) as { signature: string };
    // Every other split of the signed digits that still signs to the same value.
    const digits = `${timestamp}350176`;
    const splits = Array.from({ length: digits.length - 1 }, (_, i) => [
      digits.slice(0, i + 1),
      digits.slice(i + 1),
    ]).filter(
      ([ts, nonce]) =>
        ts !== timestamp && computeSignature(SECRET, ts as string, nonce as string) === signature,
    );
    expect(splits.map(([, nonce]) => nonce)).toEqual([
      '499676978350176',
      '99676978350176',
      '9676978350176',
      '676978350176',
      '76978350176',
      '6978350176',
      '978350176',
      '78350176',
      '8350176',
      '50176',
      '176',
      '76',
      '6',
    ]);
    for (const [ts, nonce] of splits) {
      const forged = encodeCallback(
        callRejectFields({ call_id: uniqueCallId(), user_id: 'mallory' }),
        'json',
      ).body.replace(/}$/, `,"nonce":"${nonce}","timestamp":${ts},"signature":"${signature}"}`);
      expect(await send(forged, { via: lenient })).toEqual({
        status: 401,
        body: { error: 'replayed_signature', message: 'signature already used with another body' },
      });
    }
    expect(await queued()).toHaveLength(0);
    // Accepted for ever, so kept for ever: no TTL attribute.
    expect(await guardItem(signature)).toEqual({
      pk: { S: sha256(signature) },
      bodyDigest: { S: sha256(genuine.body) },
    });
  });

  it('keeps a record exactly as long as its capture could be accepted (the window and a minute), digests only', async () => {
    const timestamp = unixNow() - 100;
    const genuine = signCallback(callRejectFields({ call_id: uniqueCallId() }), {
      secret: SECRET,
      timestamp,
    });
    expect((await send(genuine.body)).status).toBe(200);
    await queued();
    const { signature } = JSON.parse(genuine.body) as { signature: string };
    expect(await guardItem(signature)).toEqual({
      pk: { S: sha256(signature) },
      bodyDigest: { S: sha256(genuine.body) },
      expiresAt: { N: String(timestamp + 300 + 60) },
    });
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

describe('DynamoReplayGuard.admit, on its own', () => {
  const signed = { timestamp: String(unixNow()), nonce: 'n', signature: 'a'.repeat(40) };
  const failureOf = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (error: Error) => error,
    );

  it('refuses a known signature with another body, naming DynamoDB’s refusal as the cause', async () => {
    const client = new DynamoDBClient({ endpoint: table.endpoint });
    const guard = new DynamoReplayGuard(table.tableName, 300, client);
    const ownSigned = { ...signed, signature: sha256(uniqueCallId()).slice(0, 40) };
    await guard.admit(ownSigned, 'digest-1');
    const error = await failureOf(guard.admit(ownSigned, 'digest-2'));
    client.destroy();
    expect(error).toBeInstanceOf(ReplayedSignatureError);
    expect(error?.message).toBe('signature already used with another body');
    expect(error?.cause).toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('gives up within the callback’s remaining budget when it is below its own cap', async () => {
    const hung = { send: () => new Promise(() => {}) } as unknown as DynamoDBClient;
    const error = await failureOf(
      new DynamoReplayGuard('t', 300, hung, 1_000).admit(signed, 'd', 20),
    );
    expect(error).toBeInstanceOf(ReplayGuardError);
    expect(error?.message).toBe('the replay guard could not record the callback');
    const cause = error?.cause as DeadlineExceededError | undefined;
    expect([cause instanceof DeadlineExceededError, cause?.milliseconds]).toEqual([true, 20]);
  });
});
