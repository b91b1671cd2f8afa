import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsQueueSender } from '../lambda/adapters/queue.js';
import { decide, type Policy } from '../lambda/core/decide.js';
import { type QuarantinedCallback, quarantinedFields } from '../lambda/core/quarantine.js';

export interface RequeueResult {
  /** Now on the callback queue (or already there: the deduplication ID is the event's). */
  readonly requeued: number;
  /** Readable now, but of an event the policy does not forward: deleted, as the handler would. */
  readonly ignored: number;
  /** Still not usable by this version: left on the quarantine queue. */
  readonly kept: readonly {
    readonly id: string;
    readonly path: string;
    readonly problem: string;
  }[];
}

/**
 * Sends quarantined callbacks through the current code once more: each one that now reads as an
 * event goes to the callback queue, exactly as the handler would have sent it (same message,
 * same deduplication ID, `receivedAt` as first received) and is deleted from the quarantine
 * queue. Their signatures were verified when they arrived; they are not checked again (a
 * quarantined callback keeps no signature, and its time window has long passed).
 */
export async function requeueQuarantined(
  client: SQSClient,
  options: {
    readonly quarantineQueueUrl: string;
    readonly queueUrl: string;
    readonly policy: Policy;
  },
): Promise<RequeueResult> {
  const queue = new SqsQueueSender(client, options.queueUrl);
  const result = { requeued: 0, ignored: 0, kept: [] as RequeueResult['kept'][number][] };
  // Each message is looked at once per run: those kept stay invisible for the rest of the run
  // (and reappear later), and one seen again ends it, however large the backlog.
  const seen = new Set<string>();
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.quarantineQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: KEEP_HIDDEN_SECONDS,
      }),
    );
    const fresh = Messages.filter((m) => !seen.has(m.MessageId ?? ''));
    if (fresh.length === 0) return result;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      const quarantined = readQuarantined(message);
      // A policy without `appId`: the AppID was checked when the callback arrived.
      const decision = decide(
        quarantinedFields(quarantined.fields),
        { ...options.policy, appId: undefined },
        new Date(quarantined.receivedAt),
      );
      if (decision.action === 'quarantine') {
        // Left alone: it becomes visible again after the queue's visibility timeout.
        result.kept.push({
          id: quarantined.id,
          path: decision.problem.field,
          problem: decision.problem.problem,
        });
        continue;
      }
      if (decision.action === 'enqueue') {
        await queue.send(decision.message);
        result.requeued++;
      } else {
        result.ignored++;
      }
      await client.send(
        new DeleteMessageCommand({
          QueueUrl: options.quarantineQueueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
    }
  }
}

/** Long enough for a large backlog to be read through once; SQS allows up to 12 hours. */
const KEEP_HIDDEN_SECONDS = 3_600;

function readQuarantined(message: Message): QuarantinedCallback {
  const body = JSON.parse(message.Body ?? '') as QuarantinedCallback;
  if (body.schemaVersion !== 1 || typeof body.fields !== 'object' || body.fields === null) {
    throw new Error(`message ${message.MessageId} is not a quarantined callback`);
  }
  return body;
}
