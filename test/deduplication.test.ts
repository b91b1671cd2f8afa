import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CallbackMessage } from '../lambda/core/message.js';
import type { CallbackValue } from '../local/callback-signer.js';
import { fakeReceiver, NOW, NOW_SECONDS } from './fake-receiver.js';

/**
 * The message id is SQS's deduplication ID: equal ids within five minutes are one message. So a
 * retry of one event must keep its id, and two different events must never share one, or the
 * second is silently dropped.
 */
type Fields = Record<string, CallbackValue>;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const BASE: Record<string, Fields> = {
  call_reject: { call_id: '35', user_id: 'bob', extend_data: 'busy' },
  call_accept: { call_id: '35', user_id: 'bob', extend_data: 'busy' },
  call_create: {
    call_id: '35',
    caller: 'alice',
    user_ids: ['bob', 'carol'],
    create_time: 1499676968,
    timeout: 60,
    payload: 'p',
  },
  call_timeout: { call_id: '35', user_ids: ['bob', 'carol'] },
  call_cancel: { call_id: '35', user_ids: ['bob', 'carol'], reason: 'caller_cancel', payload: 'p' },
  call_invite: {
    call_id: '35',
    user_ids: ['bob', 'carol'],
    inviter: 'alice',
    invite_time: 1499676968123,
  },
  call_transfer: { call_id: '35', to: { user: 'dave', seat: 2 } },
};

/** One change for each field of an event's own (and the envelope's), each a different event. */
const CHANGES: Record<string, Fields[]> = {
  call_reject: [{ call_id: '36' }, { user_id: 'carol' }, { extend_data: 'away' }],
  call_accept: [{ call_id: '36' }, { user_id: 'carol' }, { extend_data: 'away' }],
  call_create: [
    { call_id: '36' },
    { caller: 'dave' },
    { user_ids: ['bob'] },
    { user_ids: ['bob', 'dave'] },
    { create_time: 1499676969 },
    { timeout: 61 },
    { payload: 'q' },
  ],
  call_timeout: [{ call_id: '36' }, { user_ids: ['bob'] }, { user_ids: [] }],
  call_cancel: [
    { call_id: '36' },
    { user_ids: ['carol'] },
    { reason: 'timeout_cancel' },
    { payload: 'q' },
  ],
  call_invite: [
    { call_id: '36' },
    { user_ids: ['bob', 'dave'] },
    { inviter: 'dave' },
    { invite_time: 1499676968124 },
  ],
  call_transfer: [
    { call_id: '36' },
    { to: { user: 'dave', seat: 3 } },
    { to: { user: 'dave' } },
    { to: null },
    { extra: '' },
    // A list and an object with the same entries are different values.
    { to: ['dave', '2'] },
    { to: { 0: 'dave', 1: '2' } },
  ],
};

async function idOf(event: string, changes: Fields = {}, options: { timestamp?: number } = {}) {
  const receiver = fakeReceiver();
  const answer = await receiver.post({ appid: '1', event, ...BASE[event], ...changes }, options);
  expect(answer.body.status).toBe('enqueued');
  const [message] = receiver.sent;
  expect(message?.deduplicationId).toBe(answer.body.id);
  expect((JSON.parse(message?.body ?? '{}') as CallbackMessage).id).toBe(answer.body.id);
  return answer.body.id as string;
}

describe('the message id', () => {
  it.each(Object.keys(BASE))(
    'of %s is the same for each of ZEGOCLOUD’s re-signed retries',
    async (event) => {
      const first = await idOf(event);
      expect(await idOf(event, {}, { timestamp: NOW_SECONDS - 62 })).toBe(first);
    },
  );

  it.each(Object.keys(CHANGES))(
    'of %s differs whenever a field of the event differs, or its AppID',
    async (event) => {
      const ids = [await idOf(event), await idOf(event, { appid: '2' })];
      for (const change of CHANGES[event] ?? []) ids.push(await idOf(event, change));
      expect(new Set(ids).size).toBe(ids.length);
    },
  );

  it('differs between two events of different names with the same fields', async () => {
    const ids = new Set([
      await idOf('call_reject'),
      await idOf('call_accept'),
      await idOf('call_transfer'),
      await idOf('call_other', BASE.call_transfer),
    ]);
    expect(ids.size).toBe(4);
  });

  it.each(['call_create', 'call_timeout', 'call_cancel', 'call_invite'])(
    'of %s does not depend on the order of the user list, which the message keeps as sent',
    async (event) => {
      const receiver = fakeReceiver();
      const a = await receiver.post({
        appid: '1',
        event,
        ...BASE[event],
        user_ids: ['b', 'c', 'a'],
      });
      const b = await receiver.post({
        appid: '1',
        event,
        ...BASE[event],
        user_ids: ['c', 'a', 'b'],
      });
      expect(a.body.id).toBe(b.body.id);
      const userIds = receiver.sent.map(
        (m) => (JSON.parse(m.body) as { userIds: string[] }).userIds,
      );
      expect(userIds).toEqual([
        ['b', 'c', 'a'],
        ['c', 'a', 'b'],
      ]);
    },
  );

  it('of an unknown event does not depend on the order of keys, at any depth', async () => {
    const body = (json: string) => JSON.parse(json) as Fields;
    const ids = new Set([
      await idOf(
        'call_transfer',
        body('{"call_id":"35","to":{"user":"dave","seat":2,"n":[{"a":1,"b":null}]}}'),
      ),
      await idOf(
        'call_transfer',
        body('{"to":{"n":[{"b":null,"a":1}],"seat":2,"user":"dave"},"call_id":"35"}'),
      ),
    ]);
    expect(ids.size).toBe(1);
    // The order of a list's items does count.
    expect(await idOf('call_transfer', body('{"to":{"n":[{"b":null,"a":1}, 2]}}'))).not.toBe(
      await idOf('call_transfer', body('{"to":{"n":[2, {"b":null,"a":1}]}}')),
    );
  });

  it('tells apart IDs that would run together if the fields were just joined', async () => {
    const ids = new Set([
      await idOf('call_reject', { call_id: '35', user_id: 'bob' }),
      await idOf('call_reject', { call_id: '35b', user_id: 'ob' }),
      await idOf('call_timeout', { user_ids: ['bob', 'carol'] }),
      await idOf('call_timeout', { user_ids: ['bobcarol'] }),
      await idOf('call_timeout', { user_ids: ['bob,carol'] }),
    ]);
    expect(ids.size).toBe(5);
  });
});

describe('the message', () => {
  it('of an unknown event carries every field as sent but the envelope and the signature', async () => {
    const receiver = fakeReceiver();
    const answer = await receiver.post(
      {
        appid: '7',
        event: 'call_transfer',
        call_id: 35n,
        to: { user: 'dave', seat: 2, away: null, vip: true },
        list: ['a'],
        note: '',
      },
      { nonce: '42' },
    );
    expect(receiver.sent).toEqual([
      {
        body: expect.any(String),
        groupId: '35',
        deduplicationId: answer.body.id,
        attributes: { event: 'unknown', appId: 7 },
      },
    ]);
    const message = JSON.parse(receiver.sent[0]?.body ?? '{}') as { fields: object };
    expect(message).toEqual({
      schemaVersion: 1,
      id: answer.body.id,
      event: 'unknown',
      rawEvent: 'call_transfer',
      appId: 7,
      timestamp: NOW_SECONDS,
      fields: {
        call_id: '35',
        to: { user: 'dave', seat: '2', away: null, vip: true },
        list: ['a'],
        note: '',
      },
      receivedAt: NOW.toISOString(),
    });
    expect(Object.keys(message.fields)).toEqual(['call_id', 'to', 'list', 'note']);
  });

  it('goes to the group of its call, or of its event when it names none', async () => {
    const receiver = fakeReceiver();
    await receiver.post({ appid: '1', event: 'call_transfer', to: 'x' });
    await receiver.post({ appid: '1', event: 'call_transfer', call_id: '' });
    await receiver.post({ appid: '1', event: 'call_transfer', call_id: 5n });
    await receiver.post({ appid: '1', event: 'call_timeout', call_id: 'call 9', user_ids: [] });
    await receiver.post({
      appid: '1',
      event: 'call_timeout',
      call_id: 'x'.repeat(128),
      user_ids: [],
    });
    await receiver.post({
      appid: '1',
      event: 'call_timeout',
      call_id: 'x'.repeat(129),
      user_ids: [],
    });
    expect(receiver.sent.map((m) => m.groupId)).toEqual([
      'call_transfer',
      'call_transfer',
      '5',
      // SQS takes 1-128 printable ASCII characters: any other call ID goes by its hash.
      `call-${sha256('call 9')}`,
      'x'.repeat(128),
      `call-${sha256('x'.repeat(129))}`,
    ]);
  });
});
