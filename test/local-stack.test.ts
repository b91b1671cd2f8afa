import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { drainQueue, localSqsClient } from '../local/queue-reader.js';
import { type LocalStack, startLocalStack } from '../local/server.js';
import { uniqueCallId } from './support.js';

const run = promisify(execFile);
const tsx = (script: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env } });

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, secret: 'local-test-secret' });
});
afterAll(async () => {
  await stack.close();
});

describe('the local stack', () => {
  it('answers a signed callback over HTTP with 200 and puts its message on the printed queue', async () => {
    const callId = uniqueCallId();
    const request = signCallback(callRejectFields({ call_id: callId }), {
      secret: 'local-test-secret',
      shape: 'form',
    });
    const response = await fetch(stack.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': request.contentType },
      body: request.body,
    });
    expect(response.status).toBe(200);
    const client = localSqsClient(stack.sqsEndpoint);
    const messages = await drainQueue(client, stack.queueUrl);
    client.destroy();
    expect(messages.map((m) => m.body)).toEqual([expect.objectContaining({ callId })]);
  });

  it('passes a body of a non-text content type to the handler base64-encoded, as API Gateway does', async () => {
    const callId = uniqueCallId();
    const request = signCallback(callRejectFields({ call_id: callId }), {
      secret: 'local-test-secret',
    });
    const response = await fetch(stack.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: request.body,
    });
    expect(response.status).toBe(200);
    const client = localSqsClient(stack.sqsEndpoint);
    expect(await drainQueue(client, stack.queueUrl)).toHaveLength(1);
    client.destroy();
  });

  it('answers 404 off the callback route, like API Gateway', async () => {
    expect((await fetch(stack.callbackUrl, { method: 'GET' })).status).toBe(404);
    expect((await fetch(`${stack.callbackUrl}/x`, { method: 'POST', body: '{}' })).status).toBe(
      404,
    );
  });

  it('is driven by the send and receive CLIs as the README shows', async () => {
    const callId = uniqueCallId();
    const sent = await tsx('local/send.ts', [
      '--url',
      stack.callbackUrl,
      '--secret',
      'local-test-secret',
      '--call-id',
      callId,
      '--user-id',
      'bob',
      '--shape',
      'urlencoded-json',
      '--integers',
      '--repeat',
      '3',
    ]);
    expect(sent.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^200 /),
      expect.stringMatching(/^200 /),
      expect.stringMatching(/^200 /),
    ]);
    const received = await tsx('local/receive.ts', ['--queue-url', stack.queueUrl, '--wait', '0']);
    const lines = received.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '').body).toMatchObject({ callId, userId: 'bob' });

    const refused = await tsx('local/send.ts', [
      '--url',
      stack.callbackUrl,
      '--wrong-secret',
    ]).catch((error: { code: number; stdout: string }) => error);
    expect(refused).toMatchObject({ code: 1, stdout: expect.stringMatching(/^401 /) });
  });
});

describe('looking at the queue', () => {
  it('costs the consumer nothing the documented way; receive --keep refuses to spend receives', async () => {
    const callId = uniqueCallId();
    const request = signCallback(callRejectFields({ call_id: callId }), {
      secret: 'local-test-secret',
    });
    const post = { method: 'POST', headers: { 'content-type': request.contentType } };
    expect((await fetch(stack.callbackUrl, { ...post, body: request.body })).status).toBe(200);
    const refused = await tsx('local/receive.ts', ['--queue-url', stack.queueUrl, '--keep']).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect((refused as { stderr: string }).stderr).toBe(
      `refusing --keep: this queue moves a message to its dead-letter queue after 5 receives,
and SQS has no peek: every receive counts, and hides the message from your consumers for the
visibility timeout. To see what arrived at no cost to them (docs/operations.md, "What arrived"):
  aws sqs get-queue-attributes --queue-url ${stack.queueUrl} \\
    --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible
`,
    );
    const client = localSqsClient(stack.sqsEndpoint);
    const count = async (QueueUrl: string) =>
      (
        await client.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
            ],
          }),
        )
      ).Attributes;
    // Six looks: more than the 5 receives that would move the message to the dead-letter queue.
    for (let look = 0; look < 6; look++) {
      expect(await count(stack.queueUrl)).toEqual({
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '0',
      });
    }
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['All'] }),
    );
    expect(
      Messages.map((m) => [JSON.parse(m.Body ?? '').callId, m.Attributes?.ApproximateReceiveCount]),
    ).toEqual([[callId, '1']]);
    expect(await count(stack.deadLetterQueueUrl)).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    const [{ ReceiptHandle } = {}] = Messages;
    await client.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle }));
    client.destroy();
  });
});

describe('the local stack with the replay guard', () => {
  it('refuses, over HTTP, a captured signature attached to another body, as the deployed guard does', async () => {
    const guarded = await startLocalStack({
      port: 0,
      secret: 'local-test-secret',
      replayGuard: true,
    });
    try {
      expect(guarded.replayTable?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const genuine = signCallback(callRejectFields({ call_id: uniqueCallId(), user_id: 'bob' }), {
        secret: 'local-test-secret',
      });
      const post = (body: string) =>
        fetch(guarded.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      expect((await post(genuine.body)).status).toBe(200);
      // ZEGOCLOUD resending the same body passes; another body under the same signature does not.
      expect((await post(genuine.body)).status).toBe(200);
      const forged = await post(genuine.body.replace('"user_id":"bob"', '"user_id":"mallory"'));
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ error: 'replayed_signature' });
      const client = localSqsClient(guarded.sqsEndpoint);
      const messages = await drainQueue(client, guarded.queueUrl);
      client.destroy();
      expect(messages.map((m) => (m.body as { userId: string }).userId)).toEqual(['bob']);
    } finally {
      await guarded.close();
    }
  });
});

describe('the command lines refuse what they cannot do as asked', () => {
  const refusal = (error: { code: number; stdout: string; stderr: string }) => error;

  it('npm start: a REPLAY_GUARD other than true or false, before starting anything', async () => {
    const refused = await tsx('local/start.ts', [], { REPLAY_GUARD: 'TRUE' }).catch(refusal);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect((refused as { stderr: string }).stderr).toBe(
      'REPLAY_GUARD must be true or false, not "TRUE"\n',
    );
  });

  it.each(['five', '21', '0.5'])(
    'npm run receive: --wait %s, which SQS would refuse',
    async (n) => {
      const refused = await tsx('local/receive.ts', [
        '--queue-url',
        stack.queueUrl,
        '--wait',
        n,
      ]).catch(refusal);
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect((refused as { stderr: string }).stderr).toMatch(
        /^--wait takes a whole number of seconds from 0 to 20\n/,
      );
    },
  );

  it.each(['five', '0', '1.5'])(
    'npm run send: --repeat %s, which would send nothing',
    async (n) => {
      const refused = await tsx('local/send.ts', ['--url', stack.callbackUrl, '--repeat', n]).catch(
        refusal,
      );
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect((refused as { stderr: string }).stderr).toMatch(
        /^--repeat takes a whole number from 1\n/,
      );
    },
  );
});
