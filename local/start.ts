import './quiet-sdk.js';
import { refuse } from './cli.js';
import { DEV_SECRET } from './dev-secret.js';
import { startLocalStack } from './server.js';

/** `npm start`: the whole path on this machine, until Ctrl-C. */
const port = Number(process.env.PORT ?? 3000);
const sqsPort = Number(process.env.SQS_PORT ?? 9324);
const secret = process.env.CALLBACK_SECRET?.trim() || DEV_SECRET;
const guard = process.env.REPLAY_GUARD?.trim() || 'false';
if (guard !== 'true' && guard !== 'false')
  refuse(`REPLAY_GUARD must be true or false, not "${guard}"`);
const replayGuard = guard === 'true';

const stack = await startLocalStack({ port, sqsPort, secret, env: process.env, replayGuard });

console.log(`Callback URL: ${stack.callbackUrl}`);
console.log(`Queue URL: ${stack.queueUrl}`);
console.log(`Dead-letter queue URL: ${stack.deadLetterQueueUrl}`);
console.log(`Quarantine queue URL: ${stack.quarantineQueueUrl}`);
console.log(
  secret === DEV_SECRET
    ? `Callback secret: ${DEV_SECRET} (development default; set CALLBACK_SECRET to use your own)`
    : 'Callback secret: from $CALLBACK_SECRET',
);
console.log(
  stack.replayTable
    ? `Replay guard: on (table ${stack.replayTable.tableName} at ${stack.replayTable.endpoint})`
    : 'Replay guard: off (REPLAY_GUARD=true npm start to run it)',
);
console.log('Send a signed callback:  npm run send -- --call-id 123 --user-id alice');
console.log('Read the queue:          npm run receive');
console.log('Ctrl-C to stop.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    stack.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
