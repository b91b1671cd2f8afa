import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeBody, type FieldValue } from '../lambda/core/body.js';
import type { RawValue } from '../lambda/core/callback.js';
import { InvalidFieldError } from '../lambda/core/errors.js';
import type { CallbackMessage } from '../lambda/core/message.js';
import {
  buildQuarantinedCallback,
  type QuarantinedCallback,
  quarantinedFields,
} from '../lambda/core/quarantine.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { requeueQuarantined } from '../local/quarantine-requeuer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { callbackSender, uniqueCallId } from './support.js';

const SECRET = 'requeue-secret';
let sqs: LocalSqs;
let reader: SQSClient;
/** The clock of the local SQS's 5-minute deduplication window. */
let clock = Date.now();

beforeAll(async () => {
  sqs = await startLocalSqs({ now: () => clock });
  reader = localSqsClient(sqs.endpoint);
  // The requeuer long-polls 1 s so that SQS's sampled short polls miss nothing; a run ends on a
  // poll that finds nothing new, which waits the whole second (~8 s over this file). The local
  // SQS's short poll reads every visible message, so the runs here see the same without it.
  reader.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'ReceiveMessageCommand') {
        (args.input as { WaitTimeSeconds?: number }).WaitTimeSeconds = 0;
      }
      return next(args);
    },
    { step: 'initialize' },
  );
});
afterAll(async () => {
  reader.destroy();
  await sqs.close();
});
beforeEach(async () => {
  await drainQueue(reader, sqs.quarantineQueueUrl);
  await drainQueue(reader, sqs.queueUrl);
});

const policy = {
  toleranceSeconds: 0,
  forwardEvents: new Set(['call_reject', 'call_timeout', 'call_create', 'call_cancel'] as const),
};
const requeue = (client: SQSClient = reader) =>
  requeueQuarantined(client, {
    quarantineQueueUrl: sqs.quarantineQueueUrl,
    queueUrl: sqs.queueUrl,
    policy,
  });

/** As an older version (which refused empty user lists) would have quarantined a call_timeout. */
function olderQuarantined(fields: Record<string, RawValue> = {}): QuarantinedCallback {
  return {
    schemaVersion: 1,
    id: randomBytes(32).toString('hex'),
    reason: 'invalid_field',
    path: 'user_ids',
    problem: 'must be a non-empty list',
    receivedAt: '2026-11-25T10:00:00.000Z',
    fields: {
      appid: '1',
      event: 'call_timeout',
      timestamp: '1795600000',
      call_id: uniqueCallId(),
      user_ids: [],
      ...fields,
    },
  };
}
/** Puts it on the quarantine queue as the function does (a group per id, deduplicated on it). */
async function quarantine(...bodies: QuarantinedCallback[]): Promise<void> {
  for (const body of bodies) {
    await reader.send(
      new SendMessageCommand({
        QueueUrl: sqs.quarantineQueueUrl,
        MessageBody: JSON.stringify(body),
        MessageGroupId: body.id,
        MessageDeduplicationId: body.id,
      }),
    );
  }
}
/** The reader, with `fail` deciding which commands fail instead (an SQS error, a stopped run). */
function failing(fail: (command: object) => boolean): SQSClient {
  return {
    send: (command: Parameters<SQSClient['send']>[0]) =>
      fail(command) ? Promise.reject(new Error('injected failure')) : reader.send(command),
  } as unknown as SQSClient;
}

describe('sending quarantined callbacks through again', () => {
  it('requeues what this version reads, as the handler would have sent it, and keeps the rest', async () => {
    const handler = createHandlerFromEnvironment({
      QUEUE_URL: sqs.queueUrl,
      QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      CALLBACK_SECRET: SECRET,
      FORWARD_EVENTS: 'call_reject,call_timeout',
    });
    const { post } = callbackSender(SECRET, () => handler);
    // Quarantined by this very handler: a field it cannot use, still unusable after requeueing.
    const unusable = await post({
      appid: '1',
      event: 'call_reject',
      call_id: '5',
      userId: 'renamed',
    });
    expect(unusable.body.status).toBe('quarantined');

    const older = olderQuarantined();
    const notForwarded = olderQuarantined({ event: 'call_accept', user_id: 'u' });
    await quarantine(older, notForwarded);

    expect(await requeue()).toEqual({
      requeued: 1,
      kept: [
        {
          id: unusable.body.id,
          path: 'user_id',
          problem: 'must be a non-empty string or a non-negative integer',
        },
        { id: notForwarded.id, path: 'event', problem: 'call_accept is not forwarded' },
      ],
      madeVisible: 2,
      left: { visible: 2, hidden: 0 },
    });
    const messages = (await drainQueue(reader, sqs.queueUrl)).map((m) => m.body as CallbackMessage);
    expect(messages).toEqual([
      expect.objectContaining({
        event: 'call_timeout',
        callId: String(older.fields.call_id),
        userIds: [],
        appId: 1,
        timestamp: 1795600000,
        receivedAt: '2026-11-25T10:00:00.000Z',
      }),
    ]);
  });

  it('lists each message it cannot read once and ends, however many there are', async () => {
    const unusable = Array.from({ length: 25 }, () =>
      olderQuarantined({ event: 'call_reject', user_ids: undefined as unknown as RawValue }),
    );
    await quarantine(...unusable);
    const result = await requeue();
    expect(result.requeued).toBe(0);
    expect(result.kept.map((k) => k.id).sort()).toEqual(unusable.map((u) => u.id).sort());
    expect(result.left).toEqual({ visible: 25, hidden: 0 });
  });
});

describe('a requeue an operator can trust', () => {
  it('on a failed send, stops, makes what it held visible again and says how many', async () => {
    const waiting = Array.from({ length: 12 }, () => olderQuarantined());
    await quarantine(...waiting);
    let sends = 0;
    let received = 0;
    const flaky = {
      send: async (command: Parameters<SQSClient['send']>[0]) => {
        const isSend = command instanceof SendMessageCommand;
        if (isSend && command.input.QueueUrl === sqs.queueUrl && ++sends === 3) {
          throw new Error('injected failure');
        }
        const output = await reader.send(command);
        if (command instanceof ReceiveMessageCommand) {
          received += (output as { Messages?: unknown[] }).Messages?.length ?? 0;
        }
        return output;
      },
    } as unknown as SQSClient;
    // 2 requeued, the third send fails: every other message received (SQS decides how many a
    // receive returns, 10 here unless the machine is slow) is held, and made visible again.
    const result = await requeue(flaky);
    expect(received).toBeGreaterThanOrEqual(3);
    expect(result).toEqual({
      requeued: 2,
      kept: [],
      failure: 'EnqueueError: the queue did not accept the message (Error: injected failure)',
      madeVisible: received - 2,
      left: { visible: 10, hidden: 0 },
    });
    expect(await requeue()).toEqual({
      requeued: 10,
      kept: [],
      madeVisible: 0,
      left: { visible: 0, hidden: 0 },
    });
    const ids = (await drainQueue(reader, sqs.queueUrl)).map(
      (m) => (m.body as { callId: string }).callId,
    );
    expect(ids.sort()).toEqual(waiting.map((w) => String(w.fields.call_id)).sort());
  });

  it('on a failed delete, makes the message visible again; run again at once, SQS drops the repeat', async () => {
    await quarantine(olderQuarantined());
    const broken = failing((command) => command instanceof DeleteMessageCommand);
    expect(await requeue(broken)).toMatchObject({ requeued: 0, madeVisible: 1 });
    expect(await requeue()).toMatchObject({ requeued: 1, left: { visible: 0, hidden: 0 } });
    expect(await drainQueue(reader, sqs.queueUrl)).toHaveLength(1);
  });

  it('stopped between send and delete, sends the callback again an hour later: same id, a duplicate', async () => {
    await quarantine(olderQuarantined());
    const handles: string[] = [];
    let stopped = false;
    const dying = {
      send: async (command: Parameters<SQSClient['send']>[0]) => {
        if (stopped || command instanceof DeleteMessageCommand) {
          stopped = true;
          throw new Error('the process was stopped');
        }
        const output = await reader.send(command);
        if (command instanceof ReceiveMessageCommand) {
          handles.push(
            ...((output as { Messages?: { ReceiptHandle: string }[] }).Messages ?? []).map(
              (m) => m.ReceiptHandle,
            ),
          );
        }
        return output;
      },
    } as unknown as SQSClient;
    expect(await requeue(dying)).toEqual({
      requeued: 0,
      kept: [],
      failure: 'Error: the process was stopped',
      madeVisible: 0,
    });
    const [first] = await drainQueue(reader, sqs.queueUrl);
    // An hour later the quarantined message is visible again, far past SQS's 5 minutes.
    clock += 60 * 60_000;
    await reader.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: sqs.quarantineQueueUrl,
        ReceiptHandle: handles[0],
        VisibilityTimeout: 0,
      }),
    );
    expect(await requeue()).toMatchObject({ requeued: 1, left: { visible: 0, hidden: 0 } });
    const again = await drainQueue(reader, sqs.queueUrl);
    expect(again.map((m) => m.body)).toEqual([first?.body]);
  });

  it('puts a requeued call_create after its call’s call_cancel enqueued since: order is lost', async () => {
    const created = olderQuarantined({
      event: 'call_create',
      caller: 'alice',
      user_ids: ['bob'],
      create_time: '1795600000',
      timeout: '90',
      payload: '',
    });
    const callId = String(created.fields.call_id);
    await quarantine(created);
    const handler = createHandlerFromEnvironment({
      QUEUE_URL: sqs.queueUrl,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      CALLBACK_SECRET: SECRET,
      FORWARD_EVENTS: 'call_create,call_cancel',
    });
    const { post } = callbackSender(SECRET, () => handler);
    const cancel = { appid: '1', event: 'call_cancel', call_id: callId, user_ids: ['bob'] };
    const cancelled = await post({ ...cancel, reason: 'caller_cancel', payload: '' });
    expect(cancelled.body.status).toBe('enqueued');
    expect(await requeue()).toMatchObject({ requeued: 1 });
    const events = (await drainQueue(reader, sqs.queueUrl)).map((m) => [
      m.groupId,
      (m.body as CallbackMessage).event,
    ]);
    expect(events).toEqual([
      [callId, 'call_cancel'],
      [callId, 'call_create'],
    ]);
  });

  it('keeps, and goes past, what it must not delete: an event sent as a number, a message not its own', async () => {
    const handler = createHandlerFromEnvironment({
      QUEUE_URL: sqs.queueUrl,
      QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      CALLBACK_SECRET: SECRET,
      FORWARD_EVENTS: 'call_reject',
    });
    const { post } = callbackSender(SECRET, () => handler);
    // Quarantined for its type; the quarantine keeps "7", which reads as an unknown event.
    const numeric = await post({ appid: '1', event: 7, call_id: '5', user_id: 'u' });
    expect(numeric.body).toEqual({
      status: 'quarantined',
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const { MessageId: newer } = await reader.send(
      new SendMessageCommand({
        QueueUrl: sqs.quarantineQueueUrl,
        MessageBody: JSON.stringify({ ...olderQuarantined(), schemaVersion: 2 }),
        MessageGroupId: 'newer',
        MessageDeduplicationId: 'newer',
      }),
    );
    const older = olderQuarantined();
    await quarantine(older);

    const expected = {
      requeued: 0,
      kept: [
        { id: numeric.body.id, path: 'event', problem: '7 is not forwarded' },
        { id: newer, path: '', problem: 'not a quarantined callback of schemaVersion 1' },
      ],
      madeVisible: 2,
      left: { visible: 2, hidden: 0 },
    };
    expect(await requeue()).toEqual({ ...expected, requeued: 1 });
    const requeued = await drainQueue(reader, sqs.queueUrl);
    expect(requeued.map((m) => (m.body as { callId: string }).callId)).toEqual([
      String(older.fields.call_id),
    ]);
    expect(await requeue()).toEqual(expected);
  });

  it('reports, from the command line, the messages another reader holds', async () => {
    await quarantine(olderQuarantined());
    const { Messages = [] } = await reader.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.quarantineQueueUrl, VisibilityTimeout: 3_600 }),
    );
    expect(Messages).toHaveLength(1);
    const run = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      'local/requeue.ts',
      '--quarantine-url',
      sqs.quarantineQueueUrl,
      '--queue-url',
      sqs.queueUrl,
      '--forward-events',
      'call_timeout',
    ]);
    expect(run.stderr.split('\n')).toEqual([
      '0 requeued, 0 still quarantined',
      '0 message(s) this run held made visible again',
      'the quarantine queue now (approximately): 0 visible, 1 hidden (held by another reader or a stopped run: back within an hour)',
      '',
    ]);
    await reader.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: sqs.quarantineQueueUrl,
        ReceiptHandle: Messages[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  });
});

describe('the fields of a quarantined callback', () => {
  it('read back as the body decoder gave them, nested objects, lists and nulls included', () => {
    const body =
      '{"appid":7,"event":"call_x","a":{"b":[1.5,null,{"c":true,"d":"e"}],"f":null},"g":[],"h":false,"signature":"s","nonce":"n"}';
    const fields = decodeBody({ body, isBase64Encoded: false });
    const kept = JSON.parse(
      buildQuarantinedCallback(fields, new InvalidFieldError('a', 'is odd'), new Date(0)).body,
    ) as QuarantinedCallback;
    // Numbers come back as their digits: every reader that takes a number takes those.
    expect(quarantinedFields(kept.fields)).toEqual(
      new Map<string, FieldValue>([
        ['appid', '7'],
        ['event', 'call_x'],
        [
          'a',
          new Map<string, FieldValue>([
            [
              'b',
              [
                '1.5',
                null,
                new Map<string, FieldValue>([
                  ['c', true],
                  ['d', 'e'],
                ]),
              ],
            ],
            ['f', null],
          ]),
        ],
        ['g', []],
        ['h', false],
      ]),
    );
  });
});
