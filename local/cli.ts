import './quiet-sdk.js';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES } from '../lambda/queues.js';

/** The shared parts of the command-line tools (send, receive, requeue). */

/** A queue of the local stack, as `npm start` runs it (SQS_PORT, default 9324). */
export function localQueueUrl(name: 'queue' | 'quarantineQueue'): string {
  const { account, [name]: queue } = QUEUES.local;
  return `http://127.0.0.1:${process.env.SQS_PORT ?? 9324}/${account}/${queue}`;
}

/** The options given; `--help` prints `usage` and exits, a bad option exits 2 with it. */
export function commandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: O,
) {
  try {
    const help = { type: 'boolean', short: 'h', default: false } as const;
    const { values } = parseArgs<{ options: O & { help: typeof help } }>({
      options: { ...options, help },
    });
    if ((values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    return values;
  } catch (error) {
    return refuse((error as Error).message, usage);
  }
}

/** Exits 2 (a usage error), saying why. */
export function refuse(message: string, usage?: string): never {
  console.error(usage === undefined ? message : `${message}\n\n${usage}`);
  process.exit(2);
}

/** The local stack's SQS for a loopback URL (any credentials do), else AWS with yours. */
export async function sqsClientFor(queueUrl: string): Promise<SQSClient> {
  // Loaded here, so that `npm run send` does not load the SDK.
  const { localSqsClient } = await import('./queue-reader.js');
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const isLocal = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(queueUrl);
  return isLocal ? localSqsClient(new URL(queueUrl).origin) : new SQSClient({});
}
