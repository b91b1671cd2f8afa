import '../local/quiet-sdk.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';

/**
 * Load on the local stack (`npm start` in a child process, loopback only): N signed callbacks
 * at concurrency C, a share of them re-sent as ZEGOCLOUD's retries would be (re-signed, later
 * timestamp). Reports throughput and latency, then checks that the queue holds exactly one
 * message per distinct event.
 */
export interface LoadOptions {
  readonly callbacks: number;
  readonly connections: number;
  /** Share of the requests that repeat an earlier callback, 0 to 1. */
  readonly duplicateShare: number;
  /** Hard bound on the run, whatever happens. */
  readonly maxSeconds: number;
}

export interface LoadReport {
  readonly options: LoadOptions;
  readonly requests: number;
  readonly distinct: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly messages: number;
  readonly distinctMessages: number;
}

const SECRET = 'load-secret';

async function startStack(): Promise<{
  child: ChildProcess;
  callbackUrl: string;
  queueUrl: string;
}> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../local/start.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        PORT: '0',
        SQS_PORT: '0',
        CALLBACK_SECRET: SECRET,
        LOG_LEVEL: 'ERROR',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const callbackUrl = /Callback URL: (\S+)/.exec(out)?.[1];
      const queueUrl = /Queue URL: (\S+)/.exec(out)?.[1];
      if (callbackUrl && queueUrl) {
        // Keep reading (and dropping) its output, so that its writes never block.
        child.stdout?.off('data', onData).on('data', () => {});
        resolve({ child, callbackUrl, queueUrl });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`local stack exited with ${code}`)));
  });
}

/** Distinct callbacks, then retries of some of them, shuffled with a fixed seed. */
function makeBodies(options: LoadOptions): { bodies: string[]; distinct: number } {
  const distinct = Math.max(1, Math.round(options.callbacks * (1 - options.duplicateShare)));
  const now = Math.floor(Date.now() / 1000);
  const fields = Array.from({ length: distinct }, (_, i) =>
    callRejectFields({ call_id: `36${String(i).padStart(17, '0')}`, user_id: `callee-${i % 13}` }),
  );
  const bodies = fields.map((f) => signCallback(f, { secret: SECRET, timestamp: now }).body);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = distinct; i < options.callbacks; i++) {
    const original = fields[Math.floor(random() * distinct)] ?? fields[0];
    if (original) bodies.push(signCallback(original, { secret: SECRET, timestamp: now + 2 }).body);
  }
  for (let i = bodies.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [bodies[i], bodies[j]] = [bodies[j] as string, bodies[i] as string];
  }
  return { bodies, distinct };
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { bodies, distinct } = makeBodies(options);
  const stack = await startStack();
  try {
    let next = 0;
    let bound: NodeJS.Timeout | undefined;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: stack.callbackUrl,
          connections: options.connections,
          amount: bodies.length,
          timeout: 10,
          requests: [
            {
              method: 'POST',
              setupRequest: (request) => ({
                ...request,
                headers: { 'content-type': 'application/json' },
                body: bodies[next++ % bodies.length],
              }),
            },
          ],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      bound = setTimeout(() => instance.stop(), options.maxSeconds * 1000);
    });
    clearTimeout(bound);

    const reader = localSqsClient(new URL(stack.queueUrl).origin);
    const messages = await drainQueue(reader, stack.queueUrl);
    reader.destroy();
    return {
      options,
      requests: result.requests.total,
      distinct,
      seconds: result.duration,
      requestsPerSecond: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      messages: messages.length,
      distinctMessages: new Set(messages.map((m) => (m.body as { id: string }).id)).size,
    };
  } finally {
    stack.child.kill('SIGINT');
  }
}

export function formatLoad(r: LoadReport): string {
  const o = r.options;
  return [
    `load: ${r.requests} requests (${r.distinct} distinct callbacks, ${r.requests - r.distinct} ZEGOCLOUD-style repeats), ${o.connections} connections, ${r.seconds.toFixed(1)} s`,
    `  throughput:  ${r.requestsPerSecond.toFixed(0)} requests/s`,
    `  latency:     p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms`,
    `  failures:    ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`,
    `  queue:       ${r.messages} messages, ${r.distinctMessages} distinct (expected exactly ${r.distinct})`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      callbacks: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '20' },
      duplicates: { type: 'string', default: '0.3' },
      'max-seconds': { type: 'string', default: '120' },
    },
  });
  const report = await runLoad({
    callbacks: Number(values.callbacks),
    connections: Number(values.connections),
    duplicateShare: Number(values.duplicates),
    maxSeconds: Number(values['max-seconds']),
  });
  console.log(formatLoad(report));
  const exact =
    report.non2xx === 0 &&
    report.errors === 0 &&
    report.messages === report.distinct &&
    report.distinctMessages === report.distinct;
  console.log(exact ? 'the queue holds exactly the distinct events' : 'MISMATCH');
  process.exit(exact ? 0 : 1);
}
