import '../local/quiet-sdk.js';
import { parseArgs } from 'node:util';
import { replayGuardFromConfig } from '../lambda/adapters/replay-guard.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { apiGatewayEvent } from '../local/api-event.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { startLocalReplayTable } from '../local/dynamo-table.js';
import { startLocalSqs } from '../local/sqs.js';

/**
 * What the replay guard adds per callback: the same signed callbacks through the handler with
 * and without it, interleaved, against the embedded SQS and dynalite on loopback. On AWS the
 * figure is one in-region DynamoDB PutItem; dynalite's latency is not DynamoDB's.
 */
const { values } = parseArgs({ options: { callbacks: { type: 'string', default: '2000' } } });
const N = Number(values.callbacks);
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const sqs = await startLocalSqs();
const table = await startLocalReplayTable();

const env = {
  QUEUE_URL: sqs.queueUrl,
  AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  CALLBACK_SECRET: 's',
  LOG_LEVEL: 'ERROR',
  METRICS_NAMESPACE: 'Cost',
};
const handlers = {
  without: createHandlerFromEnvironment(env),
  with: createHandlerFromEnvironment(
    { ...env, REPLAY_TABLE_NAME: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: table.endpoint },
    { replayGuard: replayGuardFromConfig },
  ),
};
const latencies = { without: [] as number[], with: [] as number[] };
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true; // the handlers' metric lines
for (let i = 0; i < N; i++) {
  for (const name of ['without', 'with'] as const) {
    const body = signCallback(callRejectFields({ call_id: `${name === 'with' ? 1 : 2}${i}` }), {
      secret: 's',
    }).body;
    const started = performance.now();
    const result = await handlers[name](apiGatewayEvent({ body, requestId: String(i) }));
    if (i >= N / 10) latencies[name].push(performance.now() - started);
    if (result.statusCode !== 200) throw new Error(`${name}: ${result.statusCode} ${result.body}`);
  }
}
process.stdout.write = write;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)] ?? 0;
for (const name of ['without', 'with'] as const) {
  console.log(
    `${name.padEnd(7)} replay guard: p50 ${pct(latencies[name], 0.5).toFixed(2)} ms, p99 ${pct(latencies[name], 0.99).toFixed(2)} ms`,
  );
}
console.log(
  `added per callback: p50 +${(pct(latencies.with, 0.5) - pct(latencies.without, 0.5)).toFixed(2)} ms (${N} callbacks each, interleaved, dynalite on loopback)`,
);
await sqs.close();
await table.close();
