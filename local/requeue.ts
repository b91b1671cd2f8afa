import { CALL_EVENTS, isCallEvent } from '../lambda/core/callback.js';
import { splitList } from '../lambda/settings.js';
import { commandLine, localQueueUrl, refuse, sqsClientFor } from './cli.js';
import { requeueQuarantined } from './quarantine-requeuer.js';

const USAGE = `Send quarantined callbacks through this version again: those it can now read go to the
callback queue (deleted from quarantine), the others stay quarantined.

  npm run requeue -- [options]

  --quarantine-url URL   the quarantine queue (default the local stack's; on AWS the stack
                         output QuarantineQueueUrl, read with your AWS credentials)
  --queue-url URL        the callback queue (default the local stack's; on AWS QueueUrl)
  --forward-events LIST  required: the stack's forwardEvents (e.g. call_reject)
  --forward-unknown      forward events this version does not know, as forwardUnknownEvents

What is not requeued stays on the quarantine queue, visible again once the run ends, each
printed with the reason: still unreadable, of an event not forwarded (never deleted: a wrong
list would lose them), or not a quarantined callback this version knows. A requeued callback
arrives after whatever its call had on the queue since. A run stopped between a send and its
delete sends that callback again next time (SQS drops it within 5 minutes; after that a
duplicate with the same id); the messages it held come back within an hour.
`;

const values = commandLine(USAGE, {
  'quarantine-url': { type: 'string', default: localQueueUrl('quarantineQueue') },
  'queue-url': { type: 'string', default: localQueueUrl('queue') },
  'forward-events': { type: 'string' },
  'forward-unknown': { type: 'boolean', default: false },
});
if (values['forward-events'] === undefined) {
  refuse("--forward-events is required: the stack's forwardEvents, e.g. call_reject", USAGE);
}
const forwardEvents = splitList(values['forward-events']);
if (forwardEvents.length === 0 || !forwardEvents.every(isCallEvent)) {
  refuse(`--forward-events must list events among ${CALL_EVENTS.join(', ')}`);
}
const queueUrl = values['queue-url'];
const client = await sqsClientFor(queueUrl);
const result = await requeueQuarantined(client, {
  quarantineQueueUrl: values['quarantine-url'],
  queueUrl,
  policy: {
    toleranceSeconds: 0,
    forwardEvents: new Set(forwardEvents),
    forwardUnknownEvents: values['forward-unknown'],
  },
});
for (const kept of result.kept) console.log(JSON.stringify({ kept: kept.id, ...kept }));
const { left } = result;
console.error(
  [
    `${result.requeued} requeued, ${result.kept.length} still quarantined`,
    ...(result.failure === undefined ? [] : [`stopped by a failure: ${result.failure}`]),
    `${result.madeVisible} message(s) this run held made visible again`,
    left === undefined
      ? 'the quarantine queue could not be counted'
      : `the quarantine queue now (approximately): ${left.visible} visible, ${left.hidden} hidden (held by another reader or a stopped run: back within an hour)`,
  ].join('\n'),
);
client.destroy();
if (result.failure !== undefined) process.exitCode = 1;
