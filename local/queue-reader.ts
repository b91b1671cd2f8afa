import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface ReceivedMessage {
  readonly messageId: string;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  readonly attributes: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
}

/** A client for the local stack's SQS (any credentials do; the region is cosmetic). */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Reads every message now visible on the queue, and deletes it unless `keep` is set. A kept
 * message is visible again after the queue's visibility timeout, so a drain that outlasts it
 * would read the same messages for ever: it stops at the first receive that brings nothing new,
 * and says so through `cameRound`.
 */
export async function drainQueue(
  client: SQSClient,
  queueUrl: string,
  options: {
    keep?: boolean;
    waitSeconds?: number;
    onMessage?: (message: ReceivedMessage) => void | Promise<void>;
    cameRound?: () => void;
  } = {},
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const seen = new Set<string>();
  for (let first = true; ; first = false) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: first ? (options.waitSeconds ?? 0) : 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        // Older servers (and local-aws-sqs) only read the deprecated name.
        AttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return received;
    const fresh = Messages.filter((m) => !seen.has(m.MessageId ?? ''));
    if (fresh.length === 0) {
      options.cameRound?.();
      return received;
    }
    for (const message of fresh.map(toReceived)) {
      seen.add(message.messageId);
      received.push(message);
      await options.onMessage?.(message);
    }
    if (!options.keep) {
      const { Failed = [] } = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      // A batch answers 200 with its failures listed: a message not deleted comes back.
      if (Failed.length > 0) {
        throw new Error(`SQS did not delete ${Failed.length} message(s): ${Failed[0]?.Message}`);
      }
    }
  }
}

function toReceived(message: Message): ReceivedMessage {
  const attributes: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = value.StringValue;
  }
  let body: unknown = message.Body;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    // Not ours: show it as text.
  }
  return {
    messageId: message.MessageId ?? '',
    groupId: message.Attributes?.MessageGroupId,
    deduplicationId: message.Attributes?.MessageDeduplicationId,
    attributes,
    body,
  };
}
