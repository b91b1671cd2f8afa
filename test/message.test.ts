import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Callback, CallDetails, RawValue } from '../lambda/core/callback.js';
import { parseCallbackMessage } from '../lambda/core/contract.js';
import {
  buildMessage,
  type CallbackMessage,
  deduplicationKey,
  serializeMessage,
} from '../lambda/core/message.js';
import { QUEUES as QUEUE_SETTINGS } from '../lambda/queues.js';
import { sqsRefusal } from '../local/sqs-limits.js';

/** Any UTF-16 code unit: lone surrogates, U+FFFE and U+FFFF included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Strings where JSON escaping matters: quotes, backslashes, controls, lone surrogates, emoji. */
const text = fc.oneof(
  fc.string({ unit: anyUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        '"',
        '\\',
        '\u0000',
        '\n',
        '\u001f',
        '\u2028',
        '\ud800',
        '\udfff',
        '\ufffe',
        '\uffff',
        'a',
      ),
      {
        maxLength: 20,
      },
    )
    .map((units) => units.join('')),
);
const id = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }).map(String),
  text.filter((s) => s !== ''),
);
const ids = fc.array(id, { maxLength: 5 });
const raw: fc.Arbitrary<RawValue> = fc.letrec<{ value: RawValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }),
  ),
})).value;

const details: fc.Arbitrary<CallDetails> = fc.oneof(
  fc.record({
    event: fc.constantFrom('call_reject' as const, 'call_accept' as const),
    callId: id,
    userId: id,
    extendData: text,
  }),
  fc.record({
    event: fc.constant('call_create' as const),
    callId: id,
    caller: id,
    userIds: ids,
    createTime: fc.nat(),
    timeout: fc.nat(),
    payload: text,
  }),
  fc.record({ event: fc.constant('call_timeout' as const), callId: id, userIds: ids }),
  fc.record({
    event: fc.constant('call_cancel' as const),
    callId: id,
    userIds: ids,
    reason: text,
    payload: text,
  }),
  fc.record({
    event: fc.constant('call_invite' as const),
    callId: id,
    userIds: ids,
    inviter: id,
    inviteTime: fc.nat(),
  }),
  fc.record({
    event: fc.constant('unknown' as const),
    rawEvent: text.filter((s) => s !== ''),
    fields: fc.dictionary(text, raw, { maxKeys: 4 }),
  }),
);
/** As readCallback builds them: the event first, then the envelope, then the event's fields. */
const callbacks: fc.Arbitrary<Callback> = fc
  .tuple(details, fc.nat({ max: 2 ** 32 }), fc.nat({ max: 2 ** 33 }))
  .map(
    ([{ event, ...fields }, appId, timestamp]) =>
      ({ event, appId, timestamp, ...fields }) as Callback,
  );

describe('the message body', () => {
  it('is the typed message as JSON, holding only characters SQS accepts, for every event', () => {
    fc.assert(
      fc.property(callbacks, fc.date({ noInvalidDate: true }), (callback, receivedAt) => {
        const id = deduplicationKey(callback);
        const typed: CallbackMessage = {
          schemaVersion: 1,
          id,
          ...callback,
          receivedAt: receivedAt.toISOString(),
        };
        const body = serializeMessage(id, callback, receivedAt.toISOString());
        expect(
          sqsRefusal({ MessageBody: body }, QUEUE_SETTINGS.maxMessageSizeBytes),
        ).toBeUndefined();
        // The engine's JSON but for the escapes SQS needs, which RFC 8259 reads as the same
        // characters. (Not checked by JSON.parse here: V8 in Node 24 can decode an escaped object
        // key as a backslash once an earlier object had a "\\" key: nodejs/node#63785. Values
        // parse back exactly: the next test.)
        expect(body).toBe(
          JSON.stringify(typed).replace(
            /[\ufffe\uffff]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16)}`,
          ),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('escapes every UTF-16 code unit SQS refuses, and only those, so that each value round-trips', () => {
    const everyUnit = Array.from({ length: 0x10000 }, (_, unit) => String.fromCharCode(unit)).join(
      '',
    );
    const callback: Callback = {
      event: 'call_reject',
      appId: 1,
      timestamp: 1,
      callId: '1',
      userId: 'u',
      extendData: everyUnit,
    };
    const body = buildMessage(callback, new Date(0)).body;
    expect(sqsRefusal({ MessageBody: body }, QUEUE_SETTINGS.maxMessageSizeBytes)).toBeUndefined();
    expect((JSON.parse(body) as { extendData: string }).extendData).toBe(everyUnit);
    // Without the escapes, the engine's JSON is refused: the check can fail.
    expect(sqsRefusal({ MessageBody: JSON.stringify(callback) }, 1_048_576)?.code).toBe(
      'InvalidMessageContents',
    );
  });

  it('parses back, through the consumer contract, to the callback it was built from', () => {
    const receivedAt = new Date('2026-11-25T12:00:00.000Z');
    fc.assert(
      fc.property(callbacks, (callback) => {
        // The contract's own limits (a non-empty rawEvent and IDs, say) are the generators'.
        const parsed = parseCallbackMessage(JSON.parse(buildMessage(callback, receivedAt).body));
        expect(parsed).toEqual({
          ok: true,
          message: {
            schemaVersion: 1,
            id: deduplicationKey(callback),
            ...callback,
            receivedAt: receivedAt.toISOString(),
          },
        });
      }),
      { numRuns: 1_000 },
    );
  });
});
