import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JsonLogger } from '../lambda/adapters/log.js';
import { SqsSender } from '../lambda/adapters/queue.js';
import { InlineSecrets } from '../lambda/adapters/secrets.js';
import { CALL_EVENTS } from '../lambda/core/callback.js';
import { QuarantineError } from '../lambda/core/errors.js';
import type { CallbackMessage } from '../lambda/core/message.js';
import { type CallbackHandler, createHandler } from '../lambda/handler.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, uniqueCallId } from './support.js';

/**
 * What a signed callback may look like beyond ZEGOCLOUD's samples, each checked end to end
 * against the local SQS, which refuses what real SQS refuses: none may be lost.
 */
const SECRET = 'signed-shapes-secret';
let sqs: LocalSqs;
let reader: SQSClient;
let lines: Record<string, unknown>[] = [];

function handlerFor(sqsAt: LocalSqs, forwardUnknownEvents = true): CallbackHandler {
  const client = localSqsClient(sqsAt.endpoint);
  return createHandler({
    policy: {
      toleranceSeconds: 300,
      forwardEvents: new Set(CALL_EVENTS),
      forwardUnknownEvents,
    },
    secrets: new InlineSecrets([SECRET]),
    queue: new SqsSender(client, sqsAt.queueUrl),
    quarantine: new SqsSender(client, sqsAt.quarantineQueueUrl, QuarantineError),
    log: new JsonLogger('INFO', 'Test', (line) => lines.push(JSON.parse(line))),
    now: () => new Date(),
  });
}

let handler: CallbackHandler;
const { post, send } = callbackSender(SECRET, () => handler);
const queued = async () =>
  (await drainQueue(reader, sqs.queueUrl)).map((m) => m.body as CallbackMessage);
const quarantined = () => drainQueue(reader, sqs.quarantineQueueUrl);

beforeAll(async () => {
  sqs = await startLocalSqs();
  reader = localSqsClient(sqs.endpoint);
  handler = handlerFor(sqs);
});
afterEach(async () => {
  await queued();
  await quarantined();
  lines = [];
});
afterAll(async () => {
  reader.destroy();
  await sqs.close();
});

describe('a signed callback', () => {
  it('with U+FFFE, U+FFFF and lone surrogates in extend_data is enqueued, every unit exact', async () => {
    const extendData = 'a\ufffe b\uffff c\ud800 d\udfff e\u0001';
    for (const shape of ['json', 'form'] as const) {
      const response = await post(
        callRejectFields({ call_id: uniqueCallId(), extend_data: extendData }),
        { shape },
      );
      expect(response.status).toBe(200);
      const [message] = await queued();
      // Form bodies cannot carry lone surrogates (URL decoding makes them U+FFFD).
      expect(message?.event === 'call_reject' && message.extendData).toBe(
        shape === 'json' ? extendData : extendData.replace(/[\ud800-\udfff]/g, '\ufffd'),
      );
    }
  });

  it('of 64 KiB of control characters (the largest escape) is enqueued: the queue takes 1 MiB', async () => {
    const body = signedFormOfControlCharacters();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(64 * 1024);
    const response = await send(body, { contentType: 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    const [message] = await queued();
    const stored = JSON.stringify(message);
    // About six times the body: each control character is written \u00XX.
    expect(stored.length).toBeGreaterThan(5 * 60_000);
    expect(Buffer.byteLength(stored)).toBeLessThan(1_048_576);
  });

  it('of 64 KiB of control characters would be lost at SQS’s default 256 KiB: the local SQS sees it', async () => {
    const small = await startLocalSqs({ maxMessageSizeBytes: 262_144 });
    try {
      const response = await send(signedFormOfControlCharacters(), {
        contentType: 'application/x-www-form-urlencoded',
        via: handlerFor(small),
      });
      expect(response).toEqual({
        status: 503,
        body: { error: 'enqueue_failed', message: 'temporarily unavailable; retry later' },
      });
    } finally {
      await small.close();
    }
  });

  it.each(['call_timeout', 'call_cancel', 'call_create', 'call_invite'])(
    '%s with an empty user_ids list is enqueued with userIds []',
    async (event) => {
      const response = await post({
        appid: '1',
        event,
        call_id: uniqueCallId(),
        user_ids: [],
        caller: 'alice',
        create_time: 1499676968,
        timeout: 90,
        inviter: 'alice',
        invite_time: 1499676968123,
        reason: 'timeout_cancel',
      });
      expect(response.status).toBe(200);
      const [message] = await queued();
      expect(message).toMatchObject({ event, userIds: [] });
    },
  );

  it('as ZEGOCLOUD’s own call_cancel sample, with its trailing comma, is enqueued', async () => {
    const callId = uniqueCallId();
    const signed = JSON.parse(
      signCallback({ appid: '1', event: 'call_cancel' }, { secret: SECRET }).body,
    ) as Record<string, string>;
    const body = `{"appid":"1","event":"call_cancel","nonce":"${signed.nonce}","signature":"${signed.signature}","timestamp":${signed.timestamp},"call_id":"${callId}","user_ids":["a","b"],"reason":"caller_cancel","payload":"payload",}`;
    expect((await send(body)).status).toBe(200);
    expect(await queued()).toEqual([
      expect.objectContaining({
        event: 'call_cancel',
        callId,
        userIds: ['a', 'b'],
        payload: 'payload',
      }),
    ]);
  });

  it('rejected again by the same callee after a re-invite is a second message, its retry none', async () => {
    const callId = uniqueCallId();
    const first = await post(callRejectFields({ call_id: callId, extend_data: 'busy' }));
    const again = await post(callRejectFields({ call_id: callId, extend_data: 'still busy' }));
    const retry = await post(callRejectFields({ call_id: callId, extend_data: 'still busy' }));
    expect(again.body.id).not.toBe(first.body.id);
    expect(retry.body.id).toBe(again.body.id);
    expect((await queued()).map((m) => m.event === 'call_reject' && m.extendData)).toEqual([
      'busy',
      'still busy',
    ]);
  });

  it('with the nonce as a negative JSON integer, as it was signed, is enqueued', async () => {
    const response = await post(callRejectFields({ call_id: uniqueCallId() }), { nonce: -12345n });
    expect(response.status).toBe(200);
    expect(await queued()).toHaveLength(1);
  });

  it('as URL-encoded JSON with a broken UTF-8 sequence in a value is enqueued, the bytes replaced', async () => {
    const callId = uniqueCallId();
    const signed = signCallback(callRejectFields({ call_id: callId, extend_data: 'ab' }), {
      secret: SECRET,
      shape: 'urlencoded-json',
    }).body;
    // A multi-byte character cut in half (E4 BD A0 is 你), as a careless encoder would send it.
    const broken = signed.replace('ab', 'a%E4%BDb');
    expect((await send(broken)).status).toBe(200);
    const [message] = await queued();
    expect(message?.event === 'call_reject' && message.extendData).toBe('a\ufffdb');
  });

  it('call_invite is a typed event whose re-invite (a new invite_time) is a new message', async () => {
    const callId = uniqueCallId();
    const invite = (inviteTime: number) => ({
      appid: '1',
      event: 'call_invite',
      call_id: callId,
      user_ids: ['carol'],
      inviter: 'alice',
      invite_time: inviteTime,
    });
    const first = await post(invite(1_700_000_000_123));
    const retry = await post(invite(1_700_000_000_123));
    const again = await post(invite(1_700_000_060_456));
    expect(first.body.id).toBe(retry.body.id);
    expect(again.body.id).not.toBe(first.body.id);
    const messages = await queued();
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({
      event: 'call_invite',
      callId,
      userIds: ['carol'],
      inviter: 'alice',
      inviteTime: 1_700_000_000_123,
    });
  });

  it('of an unknown event keeps "__proto__" as a field: bodies that differ there are two events', async () => {
    const body = (value: string) =>
      signCallback(
        // JSON.parse makes "__proto__" an own key, as the body decoder does.
        JSON.parse(
          `{"appid":"1","event":"call_transfer","call_id":"7","__proto__":{"seat":"${value}"}}`,
        ),
        { secret: SECRET },
      ).body;
    // encodeCallback writes own keys: make sure "__proto__" really is in the JSON.
    expect(body('x')).toContain('"__proto__":{"seat":"x"}');
    const a = await send(body('x'));
    const b = await send(body('y'));
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.id).not.toBe(b.body.id);
    const messages = await queued();
    expect(messages).toHaveLength(2);
    const fields = messages.map((m) => (m.event === 'unknown' ? m.fields : {}));
    expect(fields.map((f) => Object.getOwnPropertyDescriptor(f, '__proto__')?.value)).toEqual([
      { seat: 'x' },
      { seat: 'y' },
    ]);
  });

  it('of an unknown event is counted under event "unknown", its own name in the log line only', async () => {
    const name = `call_${'z'.repeat(300)}`;
    expect((await post({ appid: '1', event: name, call_id: '9' })).status).toBe(200);
    const [line] = lines;
    expect(line).toMatchObject({ outcome: 'enqueued', event: 'unknown' });
    expect(String(line?.rawEvent).length).toBeLessThanOrEqual(129);
    expect(String(line?.rawEvent)).toMatch(/^call_z+…$/);
  });

  it('of an unknown event logs a name of 128 characters whole, and the first 128 of a longer one', async () => {
    const names = [`call_${'y'.repeat(123)}`, `call_${'y'.repeat(124)}`];
    const logged: unknown[] = [];
    for (const name of names) {
      expect((await post({ appid: '1', event: name, call_id: '9' })).status).toBe(200);
      logged.push(lines.at(-1)?.rawEvent);
    }
    expect(logged).toEqual([names[0], `${names[1]?.slice(0, 128)}…`]);
  });

  it('that is ignored logs its callId, so that operators can trace the call', async () => {
    const ignoring = handlerFor(sqs, false);
    const callId = uniqueCallId();
    const response = await post(
      { appid: '1', event: 'call_new', call_id: callId },
      { via: ignoring },
    );
    expect(response.body).toEqual({ status: 'ignored' });
    expect(lines[0]).toMatchObject({
      outcome: 'ignored',
      event: 'unknown',
      rawEvent: 'call_new',
      callId,
    });
  });
});

/** A signed form body of 64 KiB, nearly all of it raw control characters in extend_data. */
function signedFormOfControlCharacters(): string {
  const { extend_data: _, ...fields } = callRejectFields({ call_id: uniqueCallId() });
  const head = `${signCallback(fields, { secret: SECRET, shape: 'form' }).body}&extend_data=`;
  return head + '\u0001'.repeat(64 * 1024 - Buffer.byteLength(head));
}
