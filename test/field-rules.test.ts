import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CallbackMessage } from '../lambda/core/message.js';
import type { QuarantinedCallback } from '../lambda/core/quarantine.js';
import { computeSignature } from '../lambda/core/signature.js';
import { type CallbackValue, encodeCallback } from '../local/callback-signer.js';
import { FAKE_SECRET, fakeReceiver, NOW, NOW_SECONDS } from './fake-receiver.js';

/**
 * Each rule a field must meet, checked through the handler: before the signature is verified a
 * broken signature field is refused; after it, a broken field is kept on the quarantine queue
 * with its exact path and problem, never refused (ZEGOCLOUD would drop it after five retries).
 */
const EVENTS: Record<string, Record<string, CallbackValue>> = {
  call_reject: { call_id: '35', user_id: 'bob', extend_data: 'busy' },
  call_create: {
    call_id: '35',
    caller: 'alice',
    user_ids: ['bob'],
    create_time: 1499676968,
    timeout: 60,
    payload: 'p',
  },
  call_timeout: { call_id: '35', user_ids: ['bob'] },
  call_cancel: { call_id: '35', user_ids: ['bob'], reason: 'caller_cancel', payload: 'p' },
  call_invite: {
    call_id: '35',
    user_ids: ['bob'],
    inviter: 'alice',
    invite_time: 1499676968123,
  },
};

/** A signed callback of `event` with some fields changed (undefined: left out). */
async function post(
  event: keyof typeof EVENTS,
  changes: Record<string, CallbackValue | undefined> = {},
  policy = {},
) {
  const receiver = fakeReceiver({ policy });
  const fields: Record<string, CallbackValue> = { appid: '1', event, ...EVENTS[event] };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete fields[key];
    else fields[key] = value;
  }
  const answer = await receiver.post(fields, { nonce: '42' });
  return {
    answer,
    enqueued: receiver.sent.map((m) => JSON.parse(m.body) as CallbackMessage),
    quarantined: receiver.kept.map((body) => JSON.parse(body) as QuarantinedCallback),
  };
}

const keptAs = (path: string, problem: string) =>
  expect.objectContaining({
    answer: { status: 200, body: { status: 'quarantined', id: expect.any(String) } },
    enqueued: [],
    quarantined: [expect.objectContaining({ path, problem })],
  });

const ID_PROBLEM = 'must be a non-empty string or a non-negative integer';
const INTEGER_PROBLEM = 'must be an integer of at most 15 digits';

describe('after the signature: a field that breaks its rule is quarantined with its path', () => {
  it.each<[string, keyof typeof EVENTS, Record<string, CallbackValue | undefined>, string, string]>(
    [
      [
        'an AppID of 16 digits',
        'call_reject',
        { appid: '1234567890123456' },
        'appid',
        INTEGER_PROBLEM,
      ],
      [
        'an AppID with a letter after its digits',
        'call_reject',
        { appid: '12x' },
        'appid',
        INTEGER_PROBLEM,
      ],
      [
        'an AppID with a letter before its digits',
        'call_reject',
        { appid: 'x12' },
        'appid',
        INTEGER_PROBLEM,
      ],
      ['an empty AppID', 'call_reject', { appid: '' }, 'appid', ID_PROBLEM],
      ['a negative AppID', 'call_reject', { appid: -1 }, 'appid', ID_PROBLEM],
      [
        'an AppID of 16 digits as a JSON integer',
        'call_reject',
        { appid: 1234567890123456n },
        'appid',
        INTEGER_PROBLEM,
      ],
      ['an empty event', 'call_reject', { event: '' }, 'event', 'must be a non-empty string'],
      [
        'an event that is a list',
        'call_reject',
        { event: ['call_reject'] },
        'event',
        'must be a non-empty string',
      ],
      ['an empty call_id', 'call_timeout', { call_id: '' }, 'call_id', ID_PROBLEM],
      ['a call_id that is true', 'call_reject', { call_id: true }, 'call_id', ID_PROBLEM],
      ['a user_id that is null', 'call_reject', { user_id: null }, 'user_id', ID_PROBLEM],
      [
        'extend_data that is a number',
        'call_reject',
        { extend_data: 5 },
        'extend_data',
        'must be a string',
      ],
      [
        'extend_data that is false',
        'call_reject',
        { extend_data: false },
        'extend_data',
        'must be a string',
      ],
      [
        'a create_time of 16 digits',
        'call_create',
        { create_time: 1234567890123456n },
        'create_time',
        INTEGER_PROBLEM,
      ],
      ['a timeout of "12x"', 'call_create', { timeout: '12x' }, 'timeout', INTEGER_PROBLEM],
      ['a timeout that is a fraction', 'call_create', { timeout: 1.5 }, 'timeout', ID_PROBLEM],
      ['an empty caller', 'call_create', { caller: '' }, 'caller', ID_PROBLEM],
      [
        'a payload that is a list',
        'call_create',
        { payload: ['p'] },
        'payload',
        'must be a string',
      ],
      [
        'an invite_time of 16 digits',
        'call_invite',
        { invite_time: '1234567890123456' },
        'invite_time',
        INTEGER_PROBLEM,
      ],
      ['no inviter', 'call_invite', { inviter: undefined }, 'inviter', ID_PROBLEM],
      ['a reason that is a number', 'call_cancel', { reason: 7 }, 'reason', 'must be a string'],
      [
        'user_ids that is one string, not a list',
        'call_timeout',
        { user_ids: 'bob' },
        'user_ids',
        'must be a list',
      ],
      ['no user_ids', 'call_cancel', { user_ids: undefined }, 'user_ids', 'must be a list'],
      [
        'an empty second user ID',
        'call_create',
        { user_ids: ['bob', '', 'carol'] },
        'user_ids[1]',
        ID_PROBLEM,
      ],
      [
        'a third user ID that is a number with a fraction',
        'call_invite',
        { user_ids: ['bob', 'carol', 2.5] as never },
        'user_ids[2]',
        ID_PROBLEM,
      ],
    ],
  )('%s (%s)', async (_, event, changes, path, problem) => {
    expect(await post(event, changes)).toEqual(keptAs(path, problem));
  });

  it('keeps the whole callback, but its signature and nonce, with the problem and an id of its fields', async () => {
    const { answer, quarantined } = await post('call_reject', { user_id: undefined });
    const fields = {
      appid: '1',
      event: 'call_reject',
      call_id: '35',
      extend_data: 'busy',
      timestamp: String(NOW_SECONDS),
    };
    // The id is the sha256 of the kept fields as JSON with sorted keys.
    const id = createHash('sha256')
      .update(
        `{"appid":"1","call_id":"35","event":"call_reject","extend_data":"busy","timestamp":"${NOW_SECONDS}"}`,
      )
      .digest('hex');
    expect(answer).toEqual({ status: 200, body: { status: 'quarantined', id } });
    expect(quarantined).toEqual([
      {
        schemaVersion: 1,
        id,
        reason: 'invalid_field',
        path: 'user_id',
        problem: ID_PROBLEM,
        receivedAt: NOW.toISOString(),
        fields,
      },
    ]);
    expect(Object.keys(quarantined[0]?.fields ?? {}).sort()).toEqual([
      'appid',
      'call_id',
      'event',
      'extend_data',
      'timestamp',
    ]);
  });

  it('keeps characters SQS refuses as escapes, each value unchanged', async () => {
    const { quarantined } = await post('call_reject', {
      user_id: '',
      extend_data: 'a\uffffb\ufffe',
    });
    expect(quarantined[0]?.fields.extend_data).toBe('a\uffffb\ufffe');
    const receiver = fakeReceiver();
    await receiver.post({ appid: '1', event: 'call_reject', call_id: '35', extend_data: '\uffff' });
    expect(receiver.kept[0]).toContain('"extend_data":"\\uffff"');
    expect(receiver.kept[0]).not.toMatch(/[\ufffe\uffff]/);
  });

  it('with ZEGO_APP_ID set, refuses a callback without a usable AppID or for another one, 403', async () => {
    const pinned = { appId: 1234 };
    const refusal = (message: string) => ({
      answer: { status: 403, body: { error: 'app_id_mismatch', message } },
      enqueued: [],
      quarantined: [],
    });
    expect(await post('call_reject', { appid: '99' }, pinned)).toEqual(
      refusal('callback is for AppID 99'),
    );
    expect(await post('call_reject', { appid: '1234567890123456' }, pinned)).toEqual(
      refusal('callback has no usable AppID'),
    );
    expect(await post('call_reject', { appid: undefined }, pinned)).toEqual(
      refusal('callback has no usable AppID'),
    );
    expect((await post('call_reject', { appid: 1234 }, pinned)).enqueued).toHaveLength(1);
  });
});

describe('after the signature: what each rule accepts', () => {
  it('takes integers of up to 15 digits, as strings or JSON integers', async () => {
    const { enqueued } = await post('call_create', {
      appid: '123456789012345',
      create_time: 999999999999999n,
      timeout: '0',
    });
    expect(enqueued).toEqual([
      expect.objectContaining({ appId: 123456789012345, createTime: 999999999999999, timeout: 0 }),
    ]);
  });

  it('takes IDs of any length as JSON integers, kept digit for digit', async () => {
    const { enqueued } = await post('call_invite', {
      call_id: 12345678901234567890n,
      inviter: 0,
      user_ids: [7, 'bob'] as never,
    });
    expect(enqueued).toEqual([
      expect.objectContaining({
        callId: '12345678901234567890',
        inviter: '0',
        userIds: ['7', 'bob'],
      }),
    ]);
  });

  it('reads a null or absent optional text as empty', async () => {
    const reject = await post('call_reject', { extend_data: null });
    expect(reject.enqueued).toEqual([expect.objectContaining({ extendData: '' })]);
    const cancel = await post('call_cancel', { reason: null, payload: undefined });
    expect(cancel.enqueued).toEqual([expect.objectContaining({ reason: '', payload: '' })]);
  });
});

/** A body carrying the signature fields exactly as given, the rest a valid call_reject. */
async function sendSigned(signed: Record<string, CallbackValue | undefined>, policy = {}) {
  const receiver = fakeReceiver({ policy });
  const fields: Record<string, CallbackValue> = { appid: '1', event: 'call_reject' };
  Object.assign(fields, EVENTS.call_reject);
  for (const [key, value] of Object.entries(signed)) if (value !== undefined) fields[key] = value;
  const answer = await receiver.send(encodeCallback(fields, 'json').body);
  return { answer, enqueued: receiver.sent.length, quarantined: receiver.kept.length };
}
const signatureOf = (timestamp: string, nonce: string) =>
  computeSignature(FAKE_SECRET, timestamp, nonce);
const refused = (status: number, error: string, message: string) => ({
  answer: { status, body: { error, message } },
  enqueued: 0,
  quarantined: 0,
});

describe('before the signature: the fields it covers', () => {
  const timestamp = String(NOW_SECONDS);
  const good = signatureOf(timestamp, '42');

  it('accepts the signature in either case', async () => {
    for (const signature of [good, good.toUpperCase()]) {
      expect((await sendSigned({ timestamp, nonce: '42', signature })).enqueued).toBe(1);
    }
  });

  it.each([
    ['one hex digit more (41)', `${good}0`],
    ['one hex digit more in front (41)', `0${good}`],
    ['one hex digit less (39)', good.slice(1)],
    ['a character that is not hex', `${good.slice(0, 39)}g`],
  ])('refuses a signature with %s, as malformed', async (_, signature) => {
    expect(await sendSigned({ timestamp, nonce: '42', signature })).toEqual(
      refused(401, 'invalid_signature', 'signature missing or malformed'),
    );
  });

  it.each([
    ['empty', ''],
    ['a number', 5],
    ['absent', undefined],
  ])('refuses a signature that is %s, as missing', async (_, signature) => {
    expect(await sendSigned({ timestamp, nonce: '42', signature })).toEqual(
      refused(401, 'invalid_signature', 'signature missing'),
    );
  });

  it.each([
    ['empty', ''],
    ['true', true],
    ['absent', undefined],
  ])('refuses a nonce that is %s with 400', async (_, nonce) => {
    const signature = signatureOf(timestamp, String(nonce ?? ''));
    expect(await sendSigned({ timestamp, nonce, signature })).toEqual(
      refused(400, 'invalid_field', 'nonce: must be a non-empty string or a number'),
    );
  });

  it.each([
    ['"12x"', '12x', 'timestamp: must be an integer with no sign or leading zero'],
    ['"x12"', 'x12', 'timestamp: must be an integer with no sign or leading zero'],
    ['"012"', '012', 'timestamp: must be an integer with no sign or leading zero'],
    ['empty', '', `timestamp: ${ID_PROBLEM}`],
    ['negative', -5, `timestamp: ${ID_PROBLEM}`],
  ])('refuses a timestamp that is %s with 400', async (_, value, message) => {
    const signature = signatureOf(String(value), '42');
    expect(await sendSigned({ timestamp: value, nonce: '42', signature })).toEqual(
      refused(400, 'invalid_field', message),
    );
  });

  it('reads a timestamp of 16 digits, then finds it outside the window, or quarantines it with the window off', async () => {
    const long = '1234567890123456';
    const signed = { timestamp: long, nonce: '42', signature: signatureOf(long, '42') };
    expect(await sendSigned(signed)).toEqual(
      refused(401, 'future_timestamp', 'timestamp is in the future'),
    );
    expect(await sendSigned(signed, { toleranceSeconds: 0 })).toEqual({
      answer: { status: 200, body: { status: 'quarantined', id: expect.any(String) } },
      enqueued: 0,
      quarantined: 1,
    });
  });
});
