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

/** Strings where JSON escaping matters: quotes, backslashes, controls, lone surrogates, emoji. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(
      fc.constantFrom('"', '\\', '\u0000', '\n', '\u001f', '\u2028', '\ud800', '\udfff', 'a'),
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
const ids = fc.array(id, { minLength: 1, maxLength: 5 });
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
  it('is JSON.stringify of the typed message, character for character, for every event', () => {
    fc.assert(
      fc.property(callbacks, fc.date({ noInvalidDate: true }), (callback, receivedAt) => {
        const id = deduplicationKey(callback);
        const typed: CallbackMessage = {
          schemaVersion: 1,
          id,
          ...callback,
          receivedAt: receivedAt.toISOString(),
        };
        expect(serializeMessage(id, callback, receivedAt.toISOString())).toBe(
          JSON.stringify(typed),
        );
      }),
      { numRuns: 2_000 },
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
