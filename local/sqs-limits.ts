import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { createRequestHandler } from 'local-aws-sqs';

/**
 * What real SQS refuses and the embedded server (local-aws-sqs) lets through, checked in front
 * of it so that local runs and tests fail where AWS would:
 * - a message body holding a character outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 *   #x10000-#x10FFFF: InvalidMessageContents (SendMessage API reference, MessageBody);
 * - a message larger than the queue's MaximumMessageSize, body and attributes counted in UTF-8
 *   bytes: InvalidParameterValue. A queue created without the attribute takes 262,144 bytes.
 */
export const SQS_DEFAULT_MAX_MESSAGE_BYTES = 262_144;

/**
 * SQS's deduplication interval: a MessageDeduplicationId repeated within 5 minutes of its first
 * send is "accepted successfully but not delivered" (SendMessage API reference), and "Amazon SQS
 * continues tracking the deduplication ID even after the message has been received and deleted"
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-key-terms.html).
 * local-aws-sqs compares with the messages it still holds instead, both ways wrong: it delivers a
 * repeat once the first is deleted, and drops one sent after 5 minutes while the first is queued.
 */
export const SQS_DEDUPLICATION_WINDOW_MS = 300_000;

const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface Attribute {
  readonly DataType?: string;
  readonly StringValue?: string;
}

interface SendEntry {
  readonly MessageBody?: string;
  readonly MessageAttributes?: Readonly<Record<string, Attribute>>;
  readonly MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/** The refusal real SQS would give, or undefined when it would store the message. */
export function sqsRefusal(
  entry: SendEntry,
  maxMessageBytes: number,
): { code: string; message: string } | undefined {
  const body = entry.MessageBody ?? '';
  if (OUTSIDE_SQS_CHARACTERS.test(body)) {
    return {
      code: 'InvalidMessageContents',
      message:
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    };
  }
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? '');
    size += Buffer.byteLength(attribute.StringValue ?? '');
  }
  if (size > maxMessageBytes) {
    return {
      code: 'InvalidParameterValue',
      message: `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
    };
  }
  return undefined;
}

/** One queue of the embedded server (its `receive` is what ReceiveMessage calls). */
type LocalQueue = ReturnType<typeof createRequestHandler>['service']['Queues'][number];

/**
 * SQS answers a short poll (WaitTimeSeconds 0) at once, and a long poll as soon as a message is
 * available
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
 * local-aws-sqs holds every receive that finds fewer than MaxNumberOfMessages for 40 ms, and a
 * long poll for its whole wait. This asks the queue, once it shows messages, for no more than it
 * shows, which it answers at its next 10 ms tick. Still unlike SQS (README says so): a FIFO
 * message group is not held back while one of its messages is in flight.
 */
export function receiveAsSqsDoes(queue: LocalQueue): void {
  const receive = queue.receive.bind(queue);
  queue.receive = async (input: { WaitTimeSeconds?: unknown; MaxNumberOfMessages?: unknown }) => {
    const waitSeconds = Number(input.WaitTimeSeconds ?? queue.ReceiveMessageWaitTimeSeconds);
    const deadline = Date.now() + waitSeconds * 1000;
    // The first pause lets a visibility just set to 0 land (local-aws-sqs does it on a timer).
    for (let pause = 1; ; pause = 10) {
      await new Promise((resolve) => setTimeout(resolve, pause).unref());
      const counts = queue.getAttributes([
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]);
      const visible =
        Number(counts.ApproximateNumberOfMessages) -
        Number(counts.ApproximateNumberOfMessagesNotVisible);
      if (visible > 0) {
        const asked = Number(input.MaxNumberOfMessages ?? 1);
        const records = await receive({
          ...input,
          WaitTimeSeconds: 0,
          MaxNumberOfMessages: Math.min(asked, visible),
        });
        // Empty when another reader took them first: then this one waits on, as SQS's does.
        if (records.length > 0) return records;
      }
      if (Date.now() >= deadline) return [];
    }
  };
}

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Wraps local-aws-sqs's request handler (JSON protocol, as the SDK speaks it): SendMessage and
 * SendMessageBatch are checked first, SendMessage gets SQS's deduplication window (`now` is
 * injectable for tests), GetQueueAttributes counts as SQS does; the rest passes untouched.
 */
export function refuseWhatSqsRefuses(
  inner: Handler,
  maxMessageBytesOf: (queueUrl: string) => number,
  now: () => number = Date.now,
): Handler {
  // Never forgotten: a send after a window must know which window it opens (see below).
  const windows = new Map<string, { at: number; number: number; answer: string }>();
  const answer = (response: ServerResponse, status: number, body: object) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(body));
  };
  return async (request, response) => {
    const action = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (!['SendMessage', 'SendMessageBatch', 'GetQueueAttributes'].includes(action)) {
      return inner(request, response);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const input = JSON.parse(raw.toString('utf8')) as SendEntry & {
      QueueUrl?: string;
      Entries?: SendEntry[];
      AttributeNames?: string[];
    };
    if (action === 'GetQueueAttributes') {
      // local-aws-sqs makes a message whose visibility was set to 0 visible on a timer; SQS does
      // it at once. Counting after that timer keeps the counts from depending on the CPU's load.
      await new Promise((resolve) => setTimeout(resolve, 1));
      // local-aws-sqs counts messages in flight in ApproximateNumberOfMessages; SQS counts those
      // "available for retrieval from the queue" (GetQueueAttributes API reference).
      const names = input.AttributeNames ?? [];
      const hidden = 'ApproximateNumberOfMessagesNotVisible';
      const asked = { ...input, AttributeNames: [...names, hidden] };
      await forward(inner, request, response, JSON.stringify(asked), (sent) => {
        const { Attributes: a } = JSON.parse(sent) as { Attributes: Record<string, string> };
        const visible = Number(a.ApproximateNumberOfMessages) - Number(a[hidden]);
        if (a.ApproximateNumberOfMessages !== undefined)
          a.ApproximateNumberOfMessages = `${visible}`;
        if (!names.includes(hidden) && !names.includes('All')) delete a[hidden];
        return JSON.stringify({ Attributes: a });
      });
      return;
    }
    const limit = maxMessageBytesOf(input.QueueUrl ?? '');
    const batch = action === 'SendMessageBatch';
    for (const entry of batch ? (input.Entries ?? []) : [input]) {
      const refusal = sqsRefusal(entry, limit);
      if (refusal !== undefined) {
        return answer(response, 400, {
          __type: `com.amazonaws.sqs#${refusal.code}`,
          message: refusal.message,
        });
      }
      if (batch && entry.MessageDeduplicationId !== undefined) {
        return answer(response, 400, {
          __type: 'com.amazonaws.sqs#UnsupportedOperation',
          message: 'the local SQS keeps the deduplication window for SendMessage only',
        });
      }
    }
    // Per message group: every FIFO queue here has deduplicationScope messageGroup.
    const id = input.MessageDeduplicationId;
    const key = JSON.stringify([input.QueueUrl?.split('/').pop(), input.MessageGroupId, id]);
    const window = id === undefined ? undefined : windows.get(key);
    if (window !== undefined && now() - window.at < SQS_DEDUPLICATION_WINDOW_MS) {
      const md5 = createHash('md5')
        .update(input.MessageBody ?? '', 'utf8')
        .digest('hex');
      return answer(response, 200, { ...JSON.parse(window.answer), MD5OfMessageBody: md5 });
    }
    // A later window: local-aws-sqs would still drop the send while the first copy is queued, so
    // it gets the ID with the window's number (which a receiver sees in MessageDeduplicationId).
    const number = (window?.number ?? 0) + 1;
    if (number > 1) input.MessageDeduplicationId = `${id}~${number}`;
    const sent = await forward(inner, request, response, number > 1 ? JSON.stringify(input) : raw);
    if (id !== undefined && response.statusCode === 200) {
      windows.set(key, { at: now(), number, answer: sent });
    }
  };
}

/** Hands the inner handler the request again (it reads it as a stream); gives back its answer. */
async function forward(
  inner: Handler,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer | string,
  rewrite: (answer: string) => string = (answer) => answer,
): Promise<string> {
  const replay = Object.assign(new PassThrough(), {
    headers: request.headers,
    method: request.method,
    url: request.url,
  });
  replay.end(body);
  let sent = '';
  const end = response.end.bind(response) as (chunk?: unknown) => ServerResponse;
  response.end = ((chunk?: unknown) => {
    sent = String(chunk ?? '');
    return end(response.statusCode === 200 ? rewrite(sent) : chunk);
  }) as typeof response.end;
  await inner(replay as unknown as IncomingMessage, response);
  return sent;
}
