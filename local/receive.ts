import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { commandLine, localQueueUrl, refuse, sqsClientFor } from './cli.js';
import { drainQueue } from './queue-reader.js';

const USAGE = `Read messages from the callback queue and print them, one JSON object per line.

  npm run receive -- [options]

  --queue-url URL   queue to read (default the local stack's, http://127.0.0.1:9324/...)
                    An AWS queue URL (https://sqs...) is read with your AWS credentials.
  --keep            do not delete what is read (it becomes visible again later); refused on a
                    queue with a redrive policy, where every receive counts toward the DLQ
  --wait N          long-poll up to N seconds for the first message (default 1)
`;

const values = commandLine(USAGE, {
  'queue-url': { type: 'string', default: localQueueUrl('queue') },
  keep: { type: 'boolean', default: false },
  wait: { type: 'string', default: '1' },
});
// SQS's long poll: 0 to 20 seconds.
const waitSeconds = Number(values.wait);
if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) {
  refuse('--wait takes a whole number of seconds from 0 to 20', USAGE);
}
const queueUrl = values['queue-url'];
const client = await sqsClientFor(queueUrl);
if (values.keep) {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
  );
  if (Attributes?.RedrivePolicy !== undefined) {
    const { maxReceiveCount } = JSON.parse(Attributes.RedrivePolicy) as { maxReceiveCount: number };
    console.error(`refusing --keep: this queue moves a message to its dead-letter queue after ${maxReceiveCount} receives,
and SQS has no peek: every receive counts, and hides the message from your consumers for the
visibility timeout. To see what arrived at no cost to them (docs/operations.md, "What arrived"):
  aws sqs get-queue-attributes --queue-url ${queueUrl} \\
    --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible`);
    client.destroy();
    process.exit(2);
  }
}
let cameRound = false;
const messages = await drainQueue(client, queueUrl, {
  keep: values.keep,
  waitSeconds,
  // Printed as read: a long drain shows its progress, and a stopped one what it had read.
  onMessage: (message) => console.log(JSON.stringify(message)),
  cameRound: () => {
    cameRound = true;
  },
});
console.error(`${messages.length} message(s)${values.keep ? ' (kept)' : ' (deleted)'}`);
if (cameRound) {
  console.error(`stopped: messages read earlier came round again (the queue's visibility timeout
passed while reading), so some may not have been read; run again later to see the rest`);
}
client.destroy();
