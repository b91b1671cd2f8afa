import '../local/quiet-sdk.js';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { JsonLogger } from '../lambda/adapters/log.js';
import { SqsSender } from '../lambda/adapters/queue.js';
import { InlineSecrets } from '../lambda/adapters/secrets.js';
import { EnqueueError } from '../lambda/core/errors.js';
import { deduplicationKey } from '../lambda/core/message.js';
import { createHandler } from '../lambda/handler.js';
import { apiGatewayEvent } from '../local/api-event.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { startLocalSqs } from '../local/sqs.js';

/**
 * The fault campaign: many distinct callbacks through the real handler, against the embedded
 * SQS behind a proxy that injects faults into the SDK's requests, each non-2xx answered with
 * ZEGOCLOUD's retry schedule (2, 4, 8, 16, 32 s, in simulated time: every retry is signed
 * with its later timestamp and sent at once). Then the queue is read and every promise checked.
 */
export const FAULT_KINDS = ['error', 'throttle', 'timeout', 'hang', 'lost'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const OUTAGE_KINDS: readonly FaultKind[] = ['error', 'throttle', 'hang'];

/** Seconds after the first attempt at which ZEGOCLOUD tries again. */
export const ZEGOCLOUD_RETRIES = [2, 6, 14, 30, 62];

export interface CampaignOptions {
  readonly callbacks: number;
  readonly concurrency: number;
  /** Share of SQS requests that meet a fault, 0 to 1. */
  readonly faultRate: number;
  /** Share of callbacks whose every SQS request fails: an outage longer than ZEGOCLOUD's retries. */
  readonly outageShare: number;
  readonly seed: number;
  /** The handler's per-attempt SDK timeout and overall enqueue deadline, shortened to run fast. */
  readonly requestTimeoutMs: number;
  readonly deadlineMs: number;
}

export interface CampaignReport {
  readonly options: CampaignOptions;
  readonly seconds: number;
  readonly attempts: number;
  readonly statuses: Record<string, number>;
  readonly faults: Record<FaultKind | 'none', number>;
  readonly acknowledged: number;
  readonly givenUp: number;
  readonly givenUpSawOnlyNon2xx: boolean;
  /** Given up by ZEGOCLOUD, yet stored: a success whose answer was lost. Not lost, not duplicated. */
  readonly storedButUnacknowledged: number;
  readonly messages: number;
  readonly acknowledgedMissing: number;
  readonly acknowledgedDuplicated: number;
  readonly neverSent: number;
  /** SendMessage calls SQS accepted beyond the first for an event: deduplicated by SQS. */
  readonly duplicatesCollapsed: number;
}

const SECRET = 'fault-campaign-secret';

/**
 * The handler's SDK timeout and deadline, shortened from production's 1 s and 3 s so that
 * thousands of hangs run in seconds, yet long enough for the embedded SQS, which shares this
 * process with the handler and the proxy, to answer under load (at 50 ms it does not, and
 * healthy requests time out).
 */
export const CAMPAIGN_TIMEOUTS = { requestTimeoutMs: 300, deadlineMs: 1_000 } as const;
const OUTAGE_PREFIX = '99';

/** A small seeded generator, so that a failing campaign can be replayed exactly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FaultProxy {
  readonly endpoint: string;
  readonly faults: Record<FaultKind | 'none', number>;
  /** SendMessage requests that SQS answered 200 (whatever then happened to the answer). */
  storedOk: number;
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function startFaultProxy(upstream: string, options: CampaignOptions): Promise<FaultProxy> {
  const random = mulberry32(options.seed);
  const upstreamUrl = new URL(upstream);
  const faults = Object.fromEntries([...FAULT_KINDS, 'none'].map((k) => [k, 0])) as Record<
    FaultKind | 'none',
    number
  >;
  const pending = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const state = { storedOk: 0 };

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
      (resolve, reject) => {
        const upstreamRequest = httpRequest(
          {
            host: upstreamUrl.hostname,
            port: upstreamUrl.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.on('end', () => {
              if (response.statusCode === 200) state.storedOk++;
              resolve({
                status: response.statusCode ?? 500,
                headers: response.headers,
                body: Buffer.concat(chunks),
              });
            });
          },
        );
        upstreamRequest.on('error', reject);
        upstreamRequest.end(body);
      },
    );
  const awsError = (res: ServerResponse, status: number, type: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${type};Receiver`,
    });
    res.end(JSON.stringify({ __type: type, message: `injected ${type}` }));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // In an outage SQS neither answers nor stores; otherwise any fault, storing ones included.
      const inOutage = body.includes(`"MessageGroupId":"${OUTAGE_PREFIX}`);
      const kinds: readonly FaultKind[] = inOutage ? OUTAGE_KINDS : FAULT_KINDS;
      const kind: FaultKind | 'none' =
        inOutage || random() < options.faultRate
          ? (kinds[Math.floor(random() * kinds.length)] as FaultKind)
          : 'none';
      faults[kind]++;
      const work = (async () => {
        switch (kind) {
          case 'error':
            return awsError(res, 500, 'InternalError');
          case 'throttle':
            return awsError(res, 400, 'ThrottlingException');
          case 'hang':
            return; // never answers; the SDK's timeout and the deadline must cope
          case 'timeout': {
            // Answers, and stores, but only after the SDK has given up on this attempt.
            await new Promise((r) => setTimeout(r, options.requestTimeoutMs * 2));
            const late = await forward(req, body);
            if (!res.destroyed) {
              res.writeHead(late.status, late.headers);
              res.end(late.body);
            }
            return;
          }
          case 'lost':
            // SQS stores the message; the answer never reaches the handler.
            await forward(req, body);
            req.socket.destroy();
            return;
          case 'none': {
            const answer = await forward(req, body);
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          }
        }
      })().catch(() => {
        req.socket.destroy();
      });
      pending.add(work);
      void work.finally(() => pending.delete(work));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    faults,
    settle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

export async function runFaultCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const started = performance.now();
  const sqs = await startLocalSqs();
  const proxy = await startFaultProxy(sqs.endpoint, options);
  const client = new SQSClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'campaign', secretAccessKey: 'campaign' },
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: options.requestTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  const handler = createHandler({
    policy: { toleranceSeconds: 300, forwardEvents: new Set(['call_reject']) },
    secrets: new InlineSecrets([SECRET]),
    queue: new SqsSender(client, sqs.queueUrl, EnqueueError, options.deadlineMs),
    log: new JsonLogger('ERROR', 'Campaign', () => {}),
    now: () => new Date(),
  });

  const outageEvery = options.outageShare > 0 ? Math.round(1 / options.outageShare) : 0;
  const callbacks = Array.from({ length: options.callbacks }, (_, i) => {
    const prefix = outageEvery > 0 && i % outageEvery === 0 ? OUTAGE_PREFIX : '35';
    const fields = callRejectFields({
      call_id: `${prefix}${String(options.seed).padStart(4, '0')}${String(i).padStart(13, '0')}`,
      user_id: `callee-${i % 7}`,
    });
    const id = deduplicationKey({
      event: 'call_reject',
      appId: Number(fields.appid),
      timestamp: 0,
      callId: String(fields.call_id),
      userId: String(fields.user_id),
      extendData: String(fields.extend_data),
    });
    return { fields, id, statuses: [] as number[] };
  });

  const statuses: Record<string, number> = {};
  let attempts = 0;
  let next = 0;
  const firstAttempt = Math.floor(Date.now() / 1000);
  const worker = async () => {
    while (next < callbacks.length) {
      const callback = callbacks[next++];
      if (callback === undefined) return;
      for (const offset of [0, ...ZEGOCLOUD_RETRIES]) {
        const request = signCallback(callback.fields, {
          secret: SECRET,
          timestamp: firstAttempt + offset,
        });
        const result = await handler(
          apiGatewayEvent({
            body: request.body,
            headers: { 'content-type': request.contentType },
            requestId: `campaign-${attempts}`,
          }),
        );
        const status = result.statusCode ?? 0;
        attempts++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        callback.statuses.push(status);
        if (status >= 200 && status < 300) break;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await proxy.settle();

  const reader = localSqsClient(sqs.endpoint);
  const stored = new Map<string, number>();
  for (const message of await drainQueue(reader, sqs.queueUrl)) {
    const id = (message.body as { id: string }).id;
    stored.set(id, (stored.get(id) ?? 0) + 1);
  }
  reader.destroy();
  client.destroy();
  const storedOk = proxy.storedOk;
  const faults = proxy.faults;
  await proxy.close();
  await sqs.close();

  const acknowledged = callbacks.filter((c) => c.statuses.some((s) => s >= 200 && s < 300));
  const givenUp = callbacks.filter((c) => !acknowledged.includes(c));
  const sent = new Set(callbacks.map((c) => c.id));
  const messages = [...stored.values()].reduce((a, b) => a + b, 0);
  return {
    options,
    seconds: (performance.now() - started) / 1000,
    attempts,
    statuses,
    faults,
    acknowledged: acknowledged.length,
    givenUp: givenUp.length,
    givenUpSawOnlyNon2xx: givenUp.every(
      (c) => c.statuses.length === 6 && c.statuses.every((s) => s >= 300),
    ),
    storedButUnacknowledged: givenUp.filter((c) => stored.has(c.id)).length,
    messages,
    acknowledgedMissing: acknowledged.filter((c) => !stored.has(c.id)).length,
    acknowledgedDuplicated: [...stored.values()].filter((n) => n > 1).length,
    neverSent: [...stored.keys()].filter((id) => !sent.has(id)).length,
    duplicatesCollapsed: storedOk - stored.size,
  };
}

export function formatReport(r: CampaignReport): string {
  const o = r.options;
  return [
    `fault campaign: ${o.callbacks} callbacks, concurrency ${o.concurrency}, fault rate ${o.faultRate}, outage share ${o.outageShare}, seed ${o.seed} (${r.seconds.toFixed(1)} s)`,
    `  handler attempts:          ${r.attempts} (answers ${JSON.stringify(r.statuses)})`,
    `  SQS requests by fault:     ${JSON.stringify(r.faults)}`,
    `  acknowledged (got a 2xx):  ${r.acknowledged}, of which missing from the queue: ${r.acknowledgedMissing}`,
    `  messages on the queue:     ${r.messages}, ids stored twice: ${r.acknowledgedDuplicated}, never sent: ${r.neverSent}`,
    `  duplicates collapsed:      ${r.duplicatesCollapsed} SendMessage calls SQS accepted for an already-stored event`,
    `  given up after 6 attempts: ${r.givenUp} (all saw only non-2xx: ${r.givenUpSawOnlyNon2xx}), stored anyway: ${r.storedButUnacknowledged}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      callbacks: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '16' },
      'fault-rate': { type: 'string', default: '0.3' },
      'outage-share': { type: 'string', default: '0.02' },
      seed: { type: 'string', default: '1' },
    },
  });
  const report = await runFaultCampaign({
    callbacks: Number(values.callbacks),
    concurrency: Number(values.concurrency),
    faultRate: Number(values['fault-rate']),
    outageShare: Number(values['outage-share']),
    seed: Number(values.seed),
    ...CAMPAIGN_TIMEOUTS,
  });
  console.log(formatReport(report));
  const kept =
    report.acknowledgedMissing === 0 &&
    report.acknowledgedDuplicated === 0 &&
    report.neverSent === 0 &&
    report.givenUpSawOnlyNon2xx;
  console.log(kept ? 'every promise kept' : 'PROMISE BROKEN');
  process.exit(kept ? 0 : 1);
}
