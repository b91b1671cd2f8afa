// Runs on Node 24 (the Lambda runtime's major) in a fresh process per measurement.
//   cold <bundle> <events.json> <index>  -> ms from process start to the first answer
//   warm <bundle> <events.json>          -> per-callback latencies, chunk by chunk
//   pure <entry> <count>                 -> callbacks processed per second, no I/O
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [mode, file, arg] = process.argv.slice(2);

async function loadHandler(path) {
  const module = await import(pathToFileURL(path).href);
  return module.handler ?? module.default?.handler;
}

function apiEvent(body) {
  return {
    version: '2.0',
    routeKey: 'POST /zego/callback',
    rawPath: '/zego/callback',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    body,
    requestContext: { requestId: 'bench', http: { method: 'POST', path: '/zego/callback' } },
  };
}

if (mode === 'cold') {
  const bodies = JSON.parse(readFileSync(process.argv[4], 'utf8'));
  const body = bodies[Number(process.argv[5])];
  const handler = await loadHandler(file);
  const loadedMs = performance.now();
  const loadCpu = process.cpuUsage();
  const result = await handler(apiEvent(body), {});
  const cpu = process.cpuUsage();
  process.send({
    totalMs: performance.now(),
    loadedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    firstCallCpuMs: (cpu.user + cpu.system - loadCpu.user - loadCpu.system) / 1000,
    status: result.statusCode,
  });
} else if (mode === 'warm') {
  // Stays up and runs the chunks of callbacks the parent asks for, so that the parent can
  // interleave the handlers it compares and drift on the machine hits all of them alike.
  const bodies = JSON.parse(readFileSync(process.argv[4], 'utf8'));
  const handler = await loadHandler(file);
  process.on('message', async ({ start, end }) => {
    const latencies = [];
    const statuses = {};
    const cpuStart = process.cpuUsage();
    for (let i = start; i < end; i++) {
      const started = performance.now();
      const result = await handler(apiEvent(bodies[i]), {});
      latencies.push(performance.now() - started);
      statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
    }
    const cpu = process.cpuUsage(cpuStart);
    process.send({ latencies, statuses, cpuMs: (cpu.user + cpu.system) / 1000 });
  });
  process.send({ ready: true });
} else if (mode === 'version') {
  process.send({ version: process.version });
} else if (mode === 'pure') {
  const entry = await import(pathToFileURL(file).href);
  const count = Number(arg);
  const bodies = entry.makeBodies(count);
  const rates = [];
  for (let round = 0; round < 7; round++) {
    const started = performance.now();
    const processed = entry.processAll(bodies);
    const seconds = (performance.now() - started) / 1000;
    if (processed !== count) throw new Error(`processed ${processed} of ${count}`);
    rates.push(count / seconds);
  }
  process.send({ rates });
}
if (mode !== 'warm') process.disconnect();
