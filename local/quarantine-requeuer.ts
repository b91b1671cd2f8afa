import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsSender } from '../lambda/adapters/queue.js';
import { decide, type Policy } from '../lambda/core/decide.js';
import { type QuarantinedCallback, quarantinedFields } from '../lambda/core/quarantine.js';

export interface RequeueResult {
  /** Now on the callback queue (or already there: the deduplication ID is the event's). */
  readonly requeued: number;
  /**
   * Left on the quarantine queue, visible again: still not usable by this version, of an event
   * the policy does not forward (never deleted: the handler did not ignore it when it arrived,
   * and a quarantined field's type is lost, an `event` sent as a number reads as a string), or
   * not a quarantined callback this version knows (`id` is then the SQS MessageId).
   */
  readonly kept: readonly {
    readonly id: string;
    readonly path: string;
    readonly problem: string;
  }[];
  /** What stopped the run early; every message it held but had not deleted is visible again. */
  readonly failure?: string;
  /** Messages this run held and made visible again as it ended (kept, or not reached). */
  readonly madeVisible: number;
  /**
   * The quarantine queue as the run left it (SQS's approximate counts): visible ones were not
   * processed (kept, or arrived during the run); hidden ones are held by another reader or a
   * run that was stopped, and come back when their visibility timeout ends (at most an hour).
   */
  readonly left?: { readonly visible: number; readonly hidden: number };
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
  const QueueUrl = options.quarantineQueueUrl;
  const queue = new SqsSender(client, options.queueUrl);
  const result = { requeued: 0, kept: [] as RequeueResult['kept'][number][] };
  let failure: string | undefined;
  // Received and not deleted: hidden until the run ends, so that one seen again ends it.
  const held = new Map<string, string>();
  try {
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: KEEP_HIDDEN_SECONDS,
        }),
      );
      const fresh = Messages.filter((m) => !held.has(m.MessageId ?? ''));
      if (fresh.length === 0) break;
      for (const m of fresh) held.set(m.MessageId ?? '', m.ReceiptHandle ?? '');
      for (const message of fresh) {
        const quarantined = readQuarantined(message);
        if (quarantined === undefined) {
          const problem = 'not a quarantined callback of schemaVersion 1';
          result.kept.push({ id: message.MessageId ?? '', path: '', problem });
          continue;
        }
        // A policy without `appId`: the AppID was checked when the callback arrived.
        const decision = decide(
          quarantinedFields(quarantined.fields),
          { ...options.policy, appId: undefined },
          new Date(quarantined.receivedAt),
        );
        if (decision.action !== 'enqueue') {
          result.kept.push({
            id: quarantined.id,
            ...(decision.action === 'quarantine'
              ? { path: decision.problem.field, problem: decision.problem.problem }
              : { path: 'event', problem: `${decision.envelope.event} is not forwarded` }),
          });
          continue;
        }
        // Stopped between this send and the delete, a run sends it again next time: SQS drops
        // the repeat within 5 minutes of this send; after that it is a duplicate (same `id`).
        await queue.send(decision.message);
        await client.send(
          new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        held.delete(message.MessageId ?? '');
        result.requeued++;
      }
    }
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    failure = `${error}${cause === undefined ? '' : ` (${cause})`}`;
  }
  let madeVisible = 0;
  for (const ReceiptHandle of held.values()) {
    const visible = new ChangeMessageVisibilityCommand({
      QueueUrl,
      ReceiptHandle,
      VisibilityTimeout: 0,
    });
    if (
      await client.send(visible).then(
        () => true,
        () => false,
      )
    )
      madeVisible++;
  }
  const counts = new GetQueueAttributesCommand({
    QueueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  });
  const left = await client.send(counts).then(
    ({ Attributes: a = {} }) => ({
      visible: Number(a.ApproximateNumberOfMessages),
      hidden: Number(a.ApproximateNumberOfMessagesNotVisible),
    }),
    () => undefined,
  );
  return { ...result, ...(failure === undefined ? {} : { failure }), madeVisible, left };
}

/** Long enough for a large backlog to be read through once; SQS allows up to 12 hours. */
const KEEP_HIDDEN_SECONDS = 3_600;

function readQuarantined(message: Message): QuarantinedCallback | undefined {
  try {
    const body = JSON.parse(message.Body ?? '') as QuarantinedCallback;
    const known =
      body.schemaVersion === 1 && typeof body.fields === 'object' && body.fields !== null;
    return known ? body : undefined;
  } catch {
    return undefined;
  }
}
