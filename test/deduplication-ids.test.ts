import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../lambda/core/body.js';
import { CALL_EVENTS } from '../lambda/core/callback.js';
import { decide } from '../lambda/core/decide.js';
import { EVENT_FIELDS } from '../lambda/core/events.js';
import { deduplicationKey } from '../lambda/core/message.js';

/**
 * The deduplication ids of fixed callbacks, as the receiver computed them when the key was a
 * hand-written switch per event: an id that changes would let a retry straddling an upgrade
 * through as a second message, and breaks consumers idempotent on `id`.
 */
const POLICY = {
  toleranceSeconds: 0,
  forwardEvents: new Set<string>(CALL_EVENTS),
  forwardUnknownEvents: true,
};

function idOf(body: string): string {
  const decision = decide(decodeBody({ body, isBase64Encoded: false }), POLICY, new Date(0));
  if (decision.action !== 'enqueue') throw new Error(`${body}: ${decision.action}`);
  return decision.message.deduplicationId;
}

/** Envelope and signature fields; the key never reads the timestamp, nonce or signature. */
const head = (event: string, appid = '"1234567890"', stamp = 1795633365) =>
  `"appid":${appid},"event":"${event}","timestamp":${stamp},"nonce":"n${stamp}","signature":"${'ab'.repeat(20)}"`;

const CASES: readonly (readonly [name: string, body: string, id: string])[] = [
  // call_reject and call_accept
  [
    'reject',
    `{${head('call_reject')},"call_id":"3501761173612493269","user_id":"bob","extend_data":"{\\"reason\\":\\"busy\\"}"}`,
    '6ff4087da9c46974a0536286fd5ceaf9bb35b63f9f0d2090876bc1ec3d35d8e7',
  ],
  [
    'reject, IDs as JSON numbers',
    `{${head('call_reject', '1234567890')},"call_id":3501761173612493269,"user_id":"bob","extend_data":"{\\"reason\\":\\"busy\\"}"}`,
    '6ff4087da9c46974a0536286fd5ceaf9bb35b63f9f0d2090876bc1ec3d35d8e7',
  ],
  [
    'reject, retried: other timestamp, nonce, signature',
    `{${head('call_reject', '"1234567890"', 1795633395)},"call_id":"3501761173612493269","user_id":"bob","extend_data":"{\\"reason\\":\\"busy\\"}"}`,
    '6ff4087da9c46974a0536286fd5ceaf9bb35b63f9f0d2090876bc1ec3d35d8e7',
  ],
  [
    'reject, fields in another order',
    `{"extend_data":"{\\"reason\\":\\"busy\\"}","user_id":"bob",${head('call_reject')},"call_id":"3501761173612493269"}`,
    '6ff4087da9c46974a0536286fd5ceaf9bb35b63f9f0d2090876bc1ec3d35d8e7',
  ],
  [
    'reject, another AppID',
    `{${head('call_reject', '"42"')},"call_id":"3501761173612493269","user_id":"bob","extend_data":"{\\"reason\\":\\"busy\\"}"}`,
    '9900ace2515a96f48e013d13cc0831afcdd9a85eba9c9a1c6c1e2d0d27d0a10e',
  ],
  [
    'reject, no extend_data',
    `{${head('call_reject')},"call_id":"3501761173612493269","user_id":"bob"}`,
    '44b05d6462cfb6b3fd2ed3c87da81721feee884db2e2123d78b66d0f162d5d2a',
  ],
  [
    'reject, extend_data null',
    `{${head('call_reject')},"call_id":"3501761173612493269","user_id":"bob","extend_data":null}`,
    '44b05d6462cfb6b3fd2ed3c87da81721feee884db2e2123d78b66d0f162d5d2a',
  ],
  [
    'reject, extend_data ""',
    `{${head('call_reject')},"call_id":"3501761173612493269","user_id":"bob","extend_data":""}`,
    '44b05d6462cfb6b3fd2ed3c87da81721feee884db2e2123d78b66d0f162d5d2a',
  ],
  [
    'reject, user_id as a number',
    `{${head('call_reject')},"call_id":"7","user_id":12,"extend_data":"x"}`,
    '091f6f0cbd3c133c0e3860fb58dc0ab2e5df6744c407623f0c875050430382c1',
  ],
  [
    'reject, user_id as a string',
    `{${head('call_reject')},"call_id":"7","user_id":"12","extend_data":"x"}`,
    '091f6f0cbd3c133c0e3860fb58dc0ab2e5df6744c407623f0c875050430382c1',
  ],
  [
    'reject, odd characters',
    `{${head('call_reject')},"call_id":"a\\"b","user_id":"\\u00e9\\ud83d\\ude00","extend_data":"\\\\\\u0000\\n"}`,
    '28357658b4e15f2748adfa935c85bc99df5a46ce2a8c01d68993d1b9988dd825',
  ],
  [
    'accept',
    `{${head('call_accept')},"call_id":"3501761173612493269","user_id":"bob","extend_data":"{\\"reason\\":\\"busy\\"}"}`,
    '4d0da9314533cf5405e2789b8dc0ef881593cac3072b9976788d25f4c56d1f5d',
  ],
  // call_create
  [
    'create',
    `{${head('call_create')},"call_id":"3501761173612493269","caller":"alice","user_ids":["bob","carol"],"create_time":1499676968,"timeout":90,"payload":"p"}`,
    '5f9fbbc61555a87998072438fc40f9023d1a15af7b2e509769285c8a810e0b99',
  ],
  [
    'create, users in another order',
    `{${head('call_create')},"call_id":"3501761173612493269","caller":"alice","user_ids":["carol","bob"],"create_time":1499676968,"timeout":90,"payload":"p"}`,
    '5f9fbbc61555a87998072438fc40f9023d1a15af7b2e509769285c8a810e0b99',
  ],
  [
    'create, integers as strings, one with a leading zero',
    `{${head('call_create')},"call_id":"3501761173612493269","caller":"alice","user_ids":["bob","carol"],"create_time":"01499676968","timeout":"90","payload":"p"}`,
    '5f9fbbc61555a87998072438fc40f9023d1a15af7b2e509769285c8a810e0b99',
  ],
  [
    'create, no payload, no users',
    `{${head('call_create')},"call_id":"3501761173612493269","caller":"alice","user_ids":[],"create_time":1499676968,"timeout":90}`,
    '7cac5aa093fc02bf15efee17658bc00cb4de69f9bf3080fdcc4512f17b93e974',
  ],
  [
    'create, user IDs as numbers',
    `{${head('call_create')},"call_id":"1","caller":2,"user_ids":[4,3],"create_time":0,"timeout":0,"payload":""}`,
    '59da08da6e051c23fa33b14eda798a25d60549700b3cacd30d3687854caeb063',
  ],
  [
    'create, user IDs as strings',
    `{${head('call_create')},"call_id":"1","caller":"2","user_ids":["3","4"],"create_time":0,"timeout":0,"payload":""}`,
    '59da08da6e051c23fa33b14eda798a25d60549700b3cacd30d3687854caeb063',
  ],
  // call_timeout
  [
    'timeout',
    `{${head('call_timeout')},"call_id":"3501761173612493269","user_ids":["dave","bob"]}`,
    '91bb38df064b0f43a29e9dc17b8d5e6f48c58f074df7f763545d5064e0e284cf',
  ],
  [
    'timeout, users in another order',
    `{${head('call_timeout')},"call_id":"3501761173612493269","user_ids":["bob","dave"]}`,
    '91bb38df064b0f43a29e9dc17b8d5e6f48c58f074df7f763545d5064e0e284cf',
  ],
  [
    'timeout, no users',
    `{${head('call_timeout')},"call_id":"3501761173612493269","user_ids":[]}`,
    '6456515078d1d3ce6e6fac2e3b075d39ae978eb29f3bbfa98ba33984b25c1535',
  ],
  [
    'timeout, a repeated user',
    `{${head('call_timeout')},"call_id":"3501761173612493269","user_ids":["bob","dave","bob"]}`,
    '78c612137cfcc969f360360b24d183243fe15f3333afae4dfb792fdf2b8e5982',
  ],
  // call_cancel
  [
    'cancel',
    `{${head('call_cancel')},"call_id":"3501761173612493269","user_ids":["bob","carol"],"reason":"caller_cancel","payload":"payload",}`,
    '1ec7f47a10d48b57b57e9dcccdd6c3dc4335e6b50ff2ed211db8a57dc2e3baca',
  ],
  [
    'cancel, users in another order',
    `{${head('call_cancel')},"call_id":"3501761173612493269","user_ids":["carol","bob"],"reason":"caller_cancel","payload":"payload"}`,
    '1ec7f47a10d48b57b57e9dcccdd6c3dc4335e6b50ff2ed211db8a57dc2e3baca',
  ],
  [
    'cancel, timeout_cancel, no payload',
    `{${head('call_cancel')},"call_id":"3501761173612493269","user_ids":["bob"],"reason":"timeout_cancel"}`,
    'd62eb915a79e45678e6e9e66e41fc82e36cc55f42bab988b2d3f2bc0bba82aae',
  ],
  [
    'cancel, reason and payload swapped',
    `{${head('call_cancel')},"call_id":"3501761173612493269","user_ids":["bob"],"reason":"timeout_cancel","payload":"caller_cancel"}`,
    'a3afadd6ead7d22e09c45df70a4f5157c2cf1fca446db0a2ddf70a1605eae429',
  ],
  // call_invite
  [
    'invite',
    `{${head('call_invite')},"call_id":"3501761173612493269","user_ids":["erin","frank"],"inviter":"alice","invite_time":1700000000456}`,
    '9a7ee97d3bb89c6649517bd9eefa71bde69e736b15b946246c2fde067fb48c4e',
  ],
  [
    'invite, users in another order, time as a string',
    `{${head('call_invite')},"call_id":"3501761173612493269","user_ids":["frank","erin"],"inviter":"alice","invite_time":"1700000000456"}`,
    '9a7ee97d3bb89c6649517bd9eefa71bde69e736b15b946246c2fde067fb48c4e',
  ],
  [
    'invite, inviter as a number',
    `{${head('call_invite')},"call_id":3501761173612493269,"user_ids":[],"inviter":77,"invite_time":0}`,
    '094eb549e30d6ec2949df3790e8f6f584a228ce80669a5b3274d09a5cf250b0b',
  ],
  // events this version does not know: every field, canonical
  [
    'unknown',
    `{${head('call_transfer')},"call_id":"3501761173612493269","target":{"user":"erin","seats":2},"big":12345678901234567890}`,
    '317f0d8b784a9ca16b784d6e17534939d83eb89e27ea97ae74656a1538fb30c0',
  ],
  [
    'unknown, keys in another order',
    `{"big":12345678901234567890,${head('call_transfer')},"target":{"seats":2,"user":"erin"},"call_id":"3501761173612493269"}`,
    '317f0d8b784a9ca16b784d6e17534939d83eb89e27ea97ae74656a1538fb30c0',
  ],
  [
    'unknown, a number as a string',
    `{${head('call_transfer')},"call_id":"3501761173612493269","target":{"user":"erin","seats":"2"},"big":"12345678901234567890"}`,
    '317f0d8b784a9ca16b784d6e17534939d83eb89e27ea97ae74656a1538fb30c0',
  ],
  [
    'unknown, a list in another order',
    `{${head('call_transfer')},"call_id":"3501761173612493269","list":[2,1]}`,
    '9d3b45632a3fb3ed574bf7d9ec194bace5cdfa3cd5b2f3069a90d6b50131d0dd',
  ],
  [
    'unknown, the list in order',
    `{${head('call_transfer')},"call_id":"3501761173612493269","list":[1,2]}`,
    '4950bc009259c2c97665747282a5f28f9e356da315d6768924c49fc0080c8c71',
  ],
  [
    'unknown, "__proto__" and odd keys',
    `{${head('call_transfer')},"__proto__":{"seat":"x"},"odd key":[true,null,-1.5e3]}`,
    'b3894da536d187a7357d7462c23f8c71bed711bac4cfb6322b6e6efdf0648b46',
  ],
  [
    'unknown, no fields',
    `{${head('call_transfer')}}`,
    '420c906c30ae92118d8eb49e6a70c45ff26c10af76324de6d6d15b0343eb7d25',
  ],
  [
    'unknown, form-encoded',
    `appid=1234567890&event=call_transfer&timestamp=1795633365&nonce=1&signature=${'ab'.repeat(20)}&user_ids[]=b&user_ids[]=a&call_id=3501761173612493269`,
    '9ac44b86604368a12e5245b366393fd7ac826cda1acbe879c2ca967982cfb148',
  ],
];

describe('deduplication ids', () => {
  it.each(CASES)('%s', (_, body, id) => {
    expect(idOf(body)).toBe(id);
  });

  it('come from events with one user list at most: the key lays it flat, two could trade items', () => {
    const lists = Object.values(EVENT_FIELDS).map(
      (fields) => Object.values(fields).filter((kind) => kind === 'ids').length,
    );
    expect(Math.max(...lists)).toBe(1);
  });

  it('match README’s example message', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```json\n(\{"schemaVersion".*\})\n```/.exec(readme)?.[1];
    const { schemaVersion, id, receivedAt, ...callback } = JSON.parse(example ?? '{}');
    expect(callback.callId).toBe('3501761173612493269');
    expect(deduplicationKey(callback)).toBe(id);
  });
});
