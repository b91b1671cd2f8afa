import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';

/**
 * What real SQS refuses and the embedded server (local-aws-sqs) lets through, checked in front
 * of it so that local runs and tests fail where AWS would:
 * - a message body holding a character outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 *   #x10000-#x10FFFF: InvalidMessageContents (SendMessage API reference, MessageBody);
 * - a message larger than the queue's MaximumMessageSize, body and attributes counted in UTF-8
 *   bytes: InvalidParameterValue. A queue created without the attribute takes 262,144 bytes.
 */
export const SQS_DEFAULT_MAX_MESSAGE_BYTES = 262_144;

const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface Attribute {
  readonly DataType?: string;
  readonly StringValue?: string;
}

interface SendEntry {
  readonly MessageBody?: string;
  readonly MessageAttributes?: Readonly<Record<string, Attribute>>;
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

/**
 * Wraps local-aws-sqs's request handler: SendMessage and SendMessageBatch (JSON protocol, as the
 * SDK speaks it) are checked first; everything else passes through untouched.
 */
export function refuseWhatSqsRefuses(
  inner: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  maxMessageBytesOf: (queueUrl: string) => number,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.endsWith('.SendMessage') && !target.endsWith('.SendMessageBatch')) {
      return inner(request, response);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const input = JSON.parse(raw.toString('utf8')) as SendEntry & {
      QueueUrl?: string;
      Entries?: SendEntry[];
    };
    const limit = maxMessageBytesOf(input.QueueUrl ?? '');
    const entries = target.endsWith('.SendMessageBatch') ? (input.Entries ?? []) : [input];
    for (const entry of entries) {
      const refusal = sqsRefusal(entry, limit);
      if (refusal !== undefined) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({ __type: `com.amazonaws.sqs#${refusal.code}`, message: refusal.message }),
        );
        return;
      }
    }
    // The inner handler reads the request as a stream: give it the bytes again.
    const replay = Object.assign(new PassThrough(), {
      headers: request.headers,
      method: request.method,
      url: request.url,
    });
    replay.end(raw);
    return inner(replay as unknown as IncomingMessage, response);
  };
}
