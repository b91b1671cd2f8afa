import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../lambda/adapters/deadline.js';
import { JsonLogger } from '../lambda/adapters/log.js';
import { SqsSender } from '../lambda/adapters/queue.js';
import {
  InlineSecrets,
  SECRET_READ_INTERVAL_MS,
  type SecretSource,
  SecretsManagerSecrets,
} from '../lambda/adapters/secrets.js';
import { NotConfiguredError, SecretUnavailableError } from '../lambda/core/errors.js';
import { createHandlerFromEnvironment } from '../lambda/environment.js';
import { createHandler } from '../lambda/handler.js';
import { UNSET_SECRET_PLACEHOLDER } from '../lambda/settings.js';
import { callRejectFields, signCallback } from '../local/callback-signer.js';
import { localSqsClient } from '../local/queue-reader.js';
import { type LocalSqs, startLocalSqs } from '../local/sqs.js';
import { type FakeSecretsManager, startFakeSecretsManager } from './fake-secrets-manager.js';
import { apiEvent, callbackSender, closedPortEndpoint, uniqueCallId } from './support.js';

let sqs: LocalSqs;
beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await sqs.close();
});

let fake: FakeSecretsManager | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function clientFor(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

function handlerWith(secrets: SecretSource) {
  const handler = createHandler({
    policy: { toleranceSeconds: 300, forwardEvents: new Set(['call_reject']) },
    secrets,
    queue: new SqsSender(localSqsClient(sqs.endpoint), sqs.queueUrl),
    log: new JsonLogger('ERROR', 'Test', () => {}),
    now: () => new Date(),
  });
  return async (secret: string) => {
    const request = signCallback(callRejectFields(), { secret });
    const result = await handler(apiEvent({ body: request.body }));
    return {
      status: result.statusCode,
      body: JSON.parse(result.body ?? '{}') as { error?: string },
    };
  };
}

describe('the CallbackSecret from Secrets Manager', () => {
  it('reads AWSCURRENT and AWSPREVIOUS once, then serves callbacks from the cache', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'new', AWSPREVIOUS: 'old' });
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId);
    const post = handlerWith(source);
    expect((await post('new')).status).toBe(200);
    expect((await post('old')).status).toBe(200);
    expect((await post('new')).status).toBe(200);
    expect(fake.calls).toBe(2);
  });

  it('works with a secret that was never rotated (no AWSPREVIOUS)', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'only' });
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId);
    expect(await source.current()).toEqual(['only']);
  });

  it('picks up a rotation on the first mismatching signature, without waiting for the cache to age', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'v1' });
    const clock = manualClock();
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId, {
      now: clock.read,
    });
    const post = handlerWith(source);
    expect((await post('v1')).status).toBe(200);
    fake.versions.set('AWSPREVIOUS', 'v1');
    fake.versions.set('AWSCURRENT', 'v2');
    clock.now += 31_000;
    expect((await post('v2')).status).toBe(200);
    // The old secret keeps working while ZEGOCLOUD's console still signs with it.
    expect((await post('v1')).status).toBe(200);
  });

  it('re-reads at most once per interval when signatures keep failing, so forgeries cannot flood it', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'real' });
    const clock = manualClock();
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId, {
      now: clock.read,
      minReadIntervalMs: 30_000,
    });
    const post = handlerWith(source);
    for (let i = 0; i < 5; i++) expect((await post('forged')).status).toBe(401);
    expect(fake.calls).toBe(2);
    clock.now += 30_000;
    expect((await post('forged')).status).toBe(401);
    expect(fake.calls).toBe(4);
  });

  it('answers 503 not_configured while the secret still holds the stack’s placeholder', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: UNSET_SECRET_PLACEHOLDER });
    const post = handlerWith(new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId));
    expect(await post(UNSET_SECRET_PLACEHOLDER)).toEqual({
      status: 503,
      body: expect.objectContaining({ error: 'not_configured' }),
    });
  });

  it('answers 503 while the secret has no value, and sees a value put within one read interval', async () => {
    fake = await startFakeSecretsManager({});
    const clock = manualClock();
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId, {
      now: clock.read,
    });
    const post = handlerWith(source);
    expect((await post('x')).status).toBe(503);
    fake.versions.set('AWSCURRENT', 'x');
    expect((await post('x')).body.error).toBe('not_configured');
    clock.now += SECRET_READ_INTERVAL_MS;
    expect((await post('x')).status).toBe(200);
    expect(fake.calls).toBe(4);
  });

  it('answers 503 secret_unavailable when Secrets Manager cannot be reached and nothing was read before', async () => {
    const source = new SecretsManagerSecrets(clientFor(await closedPortEndpoint()), 'arn:x');
    await expect(source.current()).rejects.toBeInstanceOf(SecretUnavailableError);
    expect(await handlerWith(source)('x')).toEqual({
      status: 503,
      body: expect.objectContaining({ error: 'secret_unavailable' }),
    });
  });

  it('keeps the secrets it read when a forced re-read fails: junk during a blip costs no genuine callback', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'genuine' });
    const clock = manualClock();
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId, {
      now: clock.read,
    });
    const post = handlerWith(source);
    expect((await post('genuine')).status).toBe(200);
    await fake.close();
    fake = undefined;
    // Secrets Manager is gone; a junk signature forces a re-read, which fails.
    clock.now += 60_000;
    expect((await post('junk')).status).toBe(401);
    expect((await post('genuine')).status).toBe(200);
    // Past the cache's age the failed re-reads still leave the last good read in service.
    clock.now += 10 * 60_000;
    expect((await post('genuine')).status).toBe(200);
  });
});

describe('a retired secret (AWSPREVIOUS)', () => {
  const DAY_MS = 24 * 3_600_000;
  async function rotatedAgo(ms: number) {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'new', AWSPREVIOUS: 'old' });
    fake.created.set('AWSCURRENT', new Date(Date.now() - ms));
    return fake;
  }

  it('is refused 30 days after the rotation; the current one is accepted', async () => {
    const { endpoint, secretId } = await rotatedAgo(30 * DAY_MS);
    const post = handlerWith(new SecretsManagerSecrets(clientFor(endpoint), secretId));
    expect(await post('old')).toEqual({
      status: 401,
      body: { error: 'invalid_signature', message: 'signature does not match' },
    });
    expect((await post('new')).status).toBe(200);
  });

  it('is accepted a minute after the rotation, while ZEGOCLOUD’s console may still sign with it', async () => {
    const { endpoint, secretId } = await rotatedAgo(60_000);
    const post = handlerWith(new SecretsManagerSecrets(clientFor(endpoint), secretId));
    expect((await post('old')).status).toBe(200);
    expect((await post('new')).status).toBe(200);
  });

  it('stops being accepted at the bound, even from a read still cached', async () => {
    const { endpoint, secretId } = await rotatedAgo(DAY_MS - 10_000);
    const clock = manualClock(Date.now());
    const post = handlerWith(
      new SecretsManagerSecrets(clientFor(endpoint), secretId, { now: clock.read }),
    );
    expect((await post('old')).status).toBe(200);
    clock.now += 20_000;
    expect((await post('old')).status).toBe(401);
    expect(fake?.calls).toBe(2);
  });

  it('is never accepted, nor read, with previousSecretHours 0 (PREVIOUS_SECRET_HOURS=0)', async () => {
    const { endpoint, secretId } = await rotatedAgo(60_000);
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
    try {
      const env = { QUEUE_URL: sqs.queueUrl, AWS_ENDPOINT_URL_SQS: sqs.endpoint };
      const { post } = callbackSender('', () => never);
      const never = createHandlerFromEnvironment({
        ...env,
        CALLBACK_SECRET_ID: secretId,
        PREVIOUS_SECRET_HOURS: '0',
      });
      const byDefault = createHandlerFromEnvironment({ ...env, CALLBACK_SECRET_ID: secretId });
      const fields = () => callRejectFields({ call_id: uniqueCallId() });
      expect((await post(fields(), { secret: 'old' })).status).toBe(401);
      expect((await post(fields(), { secret: 'new' })).status).toBe(200);
      expect(fake?.calls).toBe(1);
      expect((await post(fields(), { secret: 'old', via: byDefault })).status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });
});

describe('forged requests against Secrets Manager', () => {
  const FORGERIES = 50;
  /** Lets calls still in flight reach the fake: a failed read answers before its second call lands. */
  const settled = () => new Promise((resolve) => setTimeout(resolve, 100));
  /** Forged callbacks as an attacker sends them: a well-formed signature that matches nothing. */
  const forge = (post: ReturnType<typeof handlerWith>) => post(`not-the-secret-${Math.random()}`);

  async function flood(versions: Record<string, string>, failing = false) {
    fake = await startFakeSecretsManager(versions);
    fake.failing = failing;
    const clock = manualClock(Date.now());
    const post = handlerWith(
      new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId, { now: clock.read }),
    );
    const statuses = new Set<number | undefined>();
    for (let i = 0; i < FORGERIES; i++) statuses.add((await forge(post)).status);
    const all = await Promise.all(Array.from({ length: FORGERIES }, () => forge(post)));
    for (const answer of all) statuses.add(answer.status);
    await settled();
    const firstInterval = fake.calls;
    clock.now += SECRET_READ_INTERVAL_MS;
    for (let i = 0; i < FORGERIES; i++) statuses.add((await forge(post)).status);
    await settled();
    return { statuses: [...statuses], calls: [firstInterval, fake.calls] };
  }

  it('cost one read (two calls) per interval with a good secret', async () => {
    expect(await flood({ AWSCURRENT: 'real' })).toEqual({ statuses: [401], calls: [2, 4] });
  });

  it('cost one read per interval while the secret is unset', async () => {
    expect(await flood({})).toEqual({ statuses: [503], calls: [2, 4] });
  });

  it('cost one read per interval while Secrets Manager fails', async () => {
    expect(await flood({ AWSCURRENT: 'real' }, true)).toEqual({ statuses: [503], calls: [2, 4] });
  });

  it('cost no read at all when the signature is not 40 hex digits or the timestamp is misspelt', async () => {
    fake = await startFakeSecretsManager({ AWSCURRENT: 'real' });
    const handler = createHandler({
      policy: { toleranceSeconds: 300, forwardEvents: new Set(['call_reject']) },
      secrets: new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId),
      queue: new SqsSender(localSqsClient(sqs.endpoint), sqs.queueUrl),
      log: new JsonLogger('ERROR', 'Test', () => {}),
      now: () => new Date(),
    });
    const signed = signCallback(callRejectFields(), { secret: 'real' });
    const { signature, timestamp } = JSON.parse(signed.body) as Record<string, string>;
    const bodies = [
      signed.body.replace(signature as string, 'a'.repeat(39)),
      signed.body.replace(signature as string, `${signature}0`),
      signed.body.replace(signature as string, `${(signature as string).slice(0, 39)}g`),
      signed.body.replace(`"timestamp":${timestamp}`, `"timestamp":"0${timestamp}"`),
    ];
    const answers = await Promise.all(bodies.map((body) => handler(apiEvent({ body }))));
    expect(answers.map((answer) => JSON.parse(answer.body ?? '').error)).toEqual([
      'invalid_signature',
      'invalid_signature',
      'invalid_signature',
      'invalid_field',
    ]);
    expect(fake.calls).toBe(0);
  });
});

describe('when SecretsManagerSecrets reads, on a clock the test moves', () => {
  const START = 1_700_000_000_000;
  async function sourceOn(versions: Record<string, string>, options = {}) {
    fake = await startFakeSecretsManager(versions);
    const clock = manualClock(START);
    const source = new SecretsManagerSecrets(clientFor(fake.endpoint), fake.secretId, {
      now: clock.read,
      ...options,
    });
    return { fake, clock, source };
  }

  it('reads once, re-reads on no request pattern for 5 minutes, then once the read is 5 minutes old', async () => {
    const { fake, clock, source } = await sourceOn({ AWSCURRENT: 's' });
    const calls: number[] = [];
    for (const at of [0, 0, 30_000, 5 * 60_000 - 1, 5 * 60_000, 5 * 60_000 + 1]) {
      clock.now = START + at;
      expect(await source.current()).toStrictEqual(['s']);
      calls.push(fake.calls);
    }
    // Each read asks for AWSCURRENT and AWSPREVIOUS: two calls.
    expect(calls).toEqual([2, 2, 2, 2, 4, 4]);
  });

  it('accepts AWSPREVIOUS until exactly previousSecretMs after AWSCURRENT was created, not at it', async () => {
    const { fake, clock, source } = await sourceOn(
      { AWSCURRENT: 'new', AWSPREVIOUS: 'old' },
      { previousSecretMs: 60_000 },
    );
    fake.created.set('AWSCURRENT', new Date(START));
    clock.now = START + 59_999;
    expect(await source.current()).toStrictEqual(['new', 'old']);
    clock.now = START + 60_000;
    expect(await source.current()).toStrictEqual(['new']);
    expect(fake.calls).toBe(2);
  });

  it('trims the values, and returns one secret when AWSPREVIOUS is absent, equal to AWSCURRENT or the placeholder', async () => {
    const { fake, clock, source } = await sourceOn({ AWSCURRENT: ' s3cret\n' });
    fake.created.set('AWSCURRENT', new Date(START));
    expect(await source.current()).toStrictEqual(['s3cret']);
    const retired = ['\told\n', 's3cret', UNSET_SECRET_PLACEHOLDER];
    const seen: (readonly string[])[] = [];
    for (const value of retired) {
      fake.versions.set('AWSPREVIOUS', value);
      clock.now += SECRET_READ_INTERVAL_MS;
      seen.push(await source.current(undefined, true));
    }
    expect(seen).toStrictEqual([['s3cret', 'old'], ['s3cret'], ['s3cret']]);
  });

  it('forgets the secret it read once the secret is deleted: not_configured, not the old value', async () => {
    const { fake, clock, source } = await sourceOn({ AWSCURRENT: 'leaked' });
    expect(await source.current()).toStrictEqual(['leaked']);
    fake.versions.delete('AWSCURRENT');
    clock.now += SECRET_READ_INTERVAL_MS;
    for (const reread of [true, false]) {
      const failure = source.current(undefined, reread);
      await expect(failure).rejects.toBeInstanceOf(NotConfiguredError);
      await expect(failure).rejects.toThrow('the callback secret has not been set');
    }
  });

  it('names the failure and keeps its cause when Secrets Manager fails', async () => {
    const { fake, source } = await sourceOn({ AWSCURRENT: 's' });
    fake.failing = true;
    const error = await source.current().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as Error).message).toBe('the callback secret could not be read');
    expect(((error as Error).cause as Error).name).toBe('InternalServiceError');
  });

  it('answers secret_unavailable within the callback’s budget when Secrets Manager hangs', async () => {
    const { fake, source } = await sourceOn({ AWSCURRENT: 's' }, { deadlineMs: 200 });
    fake.hang = 2;
    const error = await source.current(50).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as Error).message).toBe('the callback secret was not read in time');
    const cause = (error as Error).cause as DeadlineExceededError;
    expect([cause instanceof DeadlineExceededError, cause.name, cause.message]).toEqual([
      true,
      'DeadlineExceededError',
      'no answer within 50 ms',
    ]);
    // The read itself ends at its own cap, and is still not a success.
    await expect(source.current(1_000)).rejects.toThrow('the callback secret could not be read');
    // Both hung calls were abandoned at that cap, their sockets freed, not left open.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.abandoned).toBe(2);
  });
});

describe('inline secrets (local runs, tests)', () => {
  it('accepts a callback signed with any of several comma-separated secrets', async () => {
    const post = handlerWith(new InlineSecrets(['a', 'b']));
    expect([(await post('a')).status, (await post('b')).status, (await post('c')).status]).toEqual([
      200, 200, 401,
    ]);
  });

  it('answers 503 when the secret is empty', async () => {
    expect((await handlerWith(new InlineSecrets(['']))('x')).status).toBe(503);
    await expect(new InlineSecrets(['']).current()).rejects.toThrow('the callback secret is empty');
  });
});
