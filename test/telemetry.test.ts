import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import type { CallbackHandler } from '../lambda/handler.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { apiEvent, closedPortEndpoint, uniqueCallId } from './support.js';

const SECRET = 'telemetry-secret-value';
const NAMESPACE = 'ZegoCallbacks/Test';
/** Appears in the body only: if it shows up in a log line, the raw body was logged. */
const BODY_MARKER = 'raw-body-marker-7f3a';

type Line = Record<string, unknown> & {
  _aws?: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

let sqs: LocalSqs;
beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  const reader = localSqsClient(sqs.endpoint);
  await drainQueue(reader, sqs.queueUrl);
  reader.destroy();
  await sqs.close();
});

function handlerWith(env: Record<string, string> = {}): CallbackHandler {
  return createHandlerFromEnvironment({
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    METRICS_NAMESPACE: NAMESPACE,
    ...env,
  });
}

/** Runs one callback and returns what the handler wrote to stdout, line by line. */
async function stdoutOf(handler: CallbackHandler, body: string, requestId: string) {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const result = await handler(apiEvent({ body }, requestId));
    return {
      status: result.statusCode,
      raw: written.join(''),
      lines: written
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line),
    };
  } finally {
    spy.mockRestore();
  }
}

/** The EMF rules CloudWatch applies: each dimension and metric named is a field of the line. */
function expectValidEmf(line: Line) {
  expect(line._aws?.Timestamp).toEqual(expect.any(Number));
  for (const directive of line._aws?.CloudWatchMetrics ?? []) {
    expect(directive.Namespace).toBe(NAMESPACE);
    for (const set of directive.Dimensions)
      for (const key of set) expect(line[key]).toEqual(expect.any(String));
    for (const metric of directive.Metrics) expect(line[metric.Name]).toEqual(expect.any(Number));
  }
  expect(line._aws?.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name))).toEqual([
    'Callbacks',
    'Latency',
  ]);
}

function signed(fields: Record<string, string>, secret = SECRET) {
  const body = signCallback(
    { ...callRejectFields({ call_id: uniqueCallId(), extend_data: BODY_MARKER }), ...fields },
    { secret },
  ).body;
  return { body, signature: (JSON.parse(body) as { signature: string }).signature };
}

describe('what the handler writes for each outcome', () => {
  it('an enqueued callback: one INFO line with its fields and its metrics', async () => {
    const { body, signature } = signed({});
    const out = await stdoutOf(handlerWith(), body, 'req-enqueued');
    expect(out.status).toBe(200);
    expect(out.lines).toHaveLength(1);
    const [line] = out.lines as [Line];
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'callback',
      outcome: 'enqueued',
      status: 200,
      event: 'call_reject',
      appId: 1234567890,
      callId: expect.stringMatching(/^35/),
      messageId: expect.any(String),
      requestId: 'req-enqueued',
      reason: 'none',
      Callbacks: 1,
      Latency: expect.any(Number),
    });
    // The total ([]) feeds the no-callbacks alarm; the other sets, the dashboard's widgets.
    expect(line._aws?.CloudWatchMetrics).toEqual([
      {
        Namespace: NAMESPACE,
        Dimensions: [[], ['event'], ['outcome'], ['outcome', 'event'], ['outcome', 'reason']],
        Metrics: [{ Name: 'Callbacks', Unit: 'Count' }],
      },
      {
        Namespace: NAMESPACE,
        Dimensions: [[]],
        Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }],
      },
    ]);
    expectValidEmf(line);
    for (const secretish of [SECRET, signature, BODY_MARKER])
      expect(out.raw).not.toContain(secretish);
  });

  it('an ignored event: INFO, counted under its event', async () => {
    const { body } = signed({ event: 'call_accept', user_id: 'u' });
    const [line] = (await stdoutOf(handlerWith(), body, 'req-ignored')).lines as [Line];
    expect(line).toMatchObject({
      level: 'INFO',
      outcome: 'ignored',
      event: 'call_accept',
      status: 200,
      reason: 'none',
    });
    expectValidEmf(line);
  });

  it('a forged callback: WARN, refused for its signature, its claimed event not trusted', async () => {
    const { body, signature } = signed({}, 'forger-secret');
    const out = await stdoutOf(handlerWith(), body, 'req-refused');
    const [line] = out.lines as [Line];
    expect(line).toMatchObject({
      level: 'WARN',
      outcome: 'refused',
      status: 401,
      reason: 'signature',
      event: 'unverified',
      requestId: 'req-refused',
    });
    expect(line.callId).toBeUndefined();
    expectValidEmf(line);
    for (const secretish of [SECRET, 'forger-secret', signature, BODY_MARKER])
      expect(out.raw).not.toContain(secretish);
  });

  it('a callback the queue could not take: ERROR, failed with the cause for the operator', async () => {
    const { body, signature } = signed({});
    const down = handlerWith({ AWS_ENDPOINT_URL_SQS: await closedPortEndpoint() });
    const out = await stdoutOf(down, body, 'req-failed');
    const [line] = out.lines as [Line];
    expect(out.status).toBe(503);
    expect(line).toMatchObject({
      level: 'ERROR',
      outcome: 'failed',
      status: 503,
      reason: 'enqueue_failed',
      cause: expect.stringContaining('ECONNREFUSED'),
      // Verified before it failed: recorded under its event and call.
      event: 'call_reject',
      callId: expect.stringMatching(/^35/),
    });
    expectValidEmf(line);
    for (const secretish of [SECRET, signature, BODY_MARKER])
      expect(out.raw).not.toContain(secretish);
  });

  it('below the log level, still writes the metrics, and nothing else', async () => {
    const { body } = signed({});
    const quiet = handlerWith({ LOG_LEVEL: 'ERROR' });
    const [line] = (await stdoutOf(quiet, body, 'req-quiet')).lines as [Line];
    expect(line).toMatchObject({ outcome: 'enqueued', Callbacks: 1 });
    expect(line.message).toBeUndefined();
    expect(line.callId).toBeUndefined();
    expectValidEmf(line);
  });
});
