import type { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeBody } from '../lambda/core/body.js';
import { CallbackError } from '../lambda/core/errors.js';
import { computeSignature } from '../lambda/core/signature.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import type { CallbackHandler } from '../lambda/handler.js';
import { BODY_SHAPES, encodeCallback, signCallback } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { SQS_DEDUPLICATION_WINDOW_MS } from '../local/sqs-limits.js';
import { apiEvent } from './support.js';

const SECRET = 'property-secret-Ω';
let sqs: LocalSqs;
let reader: SQSClient;
let handler: CallbackHandler;
const casesRun: Record<string, number> = {};
/** The clock of the local SQS's 5-minute deduplication window. */
let clock = Date.now();

beforeAll(async () => {
  sqs = await startLocalSqs({ now: () => clock });
  reader = localSqsClient(sqs.endpoint);
  handler = createHandlerFromEnvironment({
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    SIGNATURE_TOLERANCE_SECONDS: '0',
  });
});
afterAll(async () => {
  reader.destroy();
  await sqs.close();
  process.stdout.write(
    `property cases run: ${Object.entries(casesRun)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}\n`,
  );
});

/** Runs the handler with stdout captured: what it answered and everything it logged. */
async function invoke(body: string, options: { base64?: boolean; contentType?: string } = {}) {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const result = await handler(apiEvent({ body, ...options }));
    return { status: result.statusCode ?? 0, body: result.body ?? '', logs: written.join('') };
  } finally {
    spy.mockRestore();
  }
}

const contentTypes = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
);
/** Text that looks like callbacks often enough to get past the first checks. */
const bodies = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .dictionary(
      fc.constantFrom(
        'appid',
        'event',
        'nonce',
        'timestamp',
        'signature',
        'call_id',
        'user_id',
        'extend_data',
        'x',
      ),
      fc.oneof(
        fc.string(),
        fc.integer(),
        fc.bigInt(),
        fc.constant('call_reject'),
        fc.constant(null),
        fc.array(fc.string()),
      ),
    )
    .chain((fields) =>
      fc.constantFrom(...BODY_SHAPES).map((shape) => {
        const values = Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [
            k,
            Array.isArray(v) ? v : (v as string | number | bigint | null),
          ]),
        );
        return encodeCallback(values, shape).body;
      }),
    ),
);

describe('on arbitrary input', () => {
  it('the body decoder only ever throws its own typed errors', () => {
    fc.assert(
      fc.property(bodies, fc.boolean(), (body, base64) => {
        casesRun.decoder = (casesRun.decoder ?? 0) + 1;
        try {
          decodeBody(
            base64
              ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }
              : { body, isBase64Encoded: false },
          );
        } catch (error) {
          expect(error).toBeInstanceOf(CallbackError);
          expect((error as CallbackError).status).toBeGreaterThanOrEqual(400);
          expect((error as CallbackError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('the handler never throws, never answers 5xx while SQS is up, never enqueues without a valid signature, and never echoes the secret', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, contentTypes, fc.boolean(), async (body, contentType, base64) => {
        casesRun.handler = (casesRun.handler ?? 0) + 1;
        const out = await invoke(body, { contentType, base64 });
        expect([400, 401, 413]).toContain(out.status);
        expect(JSON.parse(out.body)).toEqual({
          error: expect.any(String),
          message: expect.any(String),
        });
        expect(out.body + out.logs).not.toContain(SECRET);
      }),
      { numRuns: 1500 },
    );
    expect(await drainQueue(reader, sqs.queueUrl)).toHaveLength(0);
  });
});

describe('on arbitrary genuine callbacks', () => {
  /** Unicode, quotes, &, =, %, + and the like, where encodings usually break. */
  const tricky = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    fc.stringMatching(/^[&=%+"'\\/ ?#[\]{}\u00e9\u4e2d\u{1F600}a-z0-9]{1,30}$/u),
  );
  const callIds = fc.oneof(
    fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }).map((n) => ({ json: n, text: n.toString() })),
    tricky.map((s) => ({ json: s, text: s })),
  );

  it('every field value round-trips exactly into the message, in every body shape', async () => {
    const sent = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        callIds,
        tricky,
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.constantFrom(...BODY_SHAPES),
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        fc.boolean(),
        async (callId, userId, extendData, shape, base64, nonce, plusForSpace) => {
          casesRun.roundTrip = (casesRun.roundTrip ?? 0) + 1;
          // fast-check repeats small values: a callback sent before is sent past SQS's 5-minute
          // window (local/sqs-limits.ts), or it would be one message with the first.
          const fields = JSON.stringify([callId.text, userId, extendData]);
          if (sent.has(fields)) clock += SQS_DEDUPLICATION_WINDOW_MS;
          sent.add(fields);
          // A form body carries text only: the call ID goes as its digits.
          const request = signCallback(
            {
              appid: '777',
              event: 'call_reject',
              call_id: shape === 'form' ? callId.text : callId.json,
              user_id: userId,
              extend_data: extendData,
            },
            { secret: SECRET, shape, nonce, timestamp: 1_700_000_000n },
          );
          // PHP's urlencode() writes a space as '+', JavaScript's encodeURIComponent as %20.
          const body =
            shape === 'urlencoded-json' && plusForSpace
              ? request.body.replace(/%20/g, '+')
              : request.body;
          const out = await invoke(body, { contentType: request.contentType, base64 });
          expect(out.status, out.body).toBe(200);
          const [message] = await drainQueue(reader, sqs.queueUrl);
          expect(message?.body).toMatchObject({
            callId: callId.text,
            userId,
            extendData,
            appId: 777,
          });
          const signature = computeSignature(SECRET, '1700000000', nonce.toString());
          expect(out.body + out.logs).not.toContain(signature);
          expect(out.body + out.logs).not.toContain(SECRET);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a signature that differs in one character is always refused, with nothing enqueued', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        fc.nat({ max: 39 }),
        async (nonce, at) => {
          casesRun.tampered = (casesRun.tampered ?? 0) + 1;
          const request = signCallback(
            { appid: '777', event: 'call_reject', call_id: '1', user_id: 'u' },
            { secret: SECRET, nonce, timestamp: 1_700_000_000n },
          );
          const body = request.body.replace(/"signature":"([0-9a-f]{40})"/, (_, sig: string) => {
            const flipped = sig[at] === '0' ? '1' : '0';
            return `"signature":"${sig.slice(0, at)}${flipped}${sig.slice(at + 1)}"`;
          });
          expect((await invoke(body)).status).toBe(401);
        },
      ),
      { numRuns: 300 },
    );
    expect(await drainQueue(reader, sqs.queueUrl)).toHaveLength(0);
  });
});
