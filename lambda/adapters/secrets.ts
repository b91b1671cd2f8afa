import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { UNSET_SECRET_PLACEHOLDER } from '../../config/settings.js';
import { NotConfiguredError, SecretUnavailableError } from '../core/errors.js';
import { withDeadline } from './deadline.js';

/** Where the CallbackSecret comes from; every secret returned is accepted. */
export interface SecretSource {
  current(): Promise<readonly string[]>;
  /**
   * Called when a signature matched none of the current secrets: the secret may have just
   * been rotated. Returns the same list when a re-read is not allowed yet.
   */
  refreshed(): Promise<readonly string[]>;
}

export class InlineSecrets implements SecretSource {
  private readonly secrets: readonly string[];
  constructor(secrets: readonly string[]) {
    this.secrets = secrets.filter((secret) => secret !== '');
  }
  async current(): Promise<readonly string[]> {
    if (this.secrets.length === 0) throw new NotConfiguredError('the callback secret is empty');
    return this.secrets;
  }
  refreshed(): Promise<readonly string[]> {
    return this.current();
  }
}

export interface SecretsManagerOptions {
  readonly deadlineMs?: number;
  /** How long a read is trusted before the next callback re-reads. */
  readonly maxAgeMs?: number;
  /** The least time between two re-reads forced by failed signatures (forgeries must not flood). */
  readonly minRefreshIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * Reads AWSCURRENT and AWSPREVIOUS, so that callbacks signed with either are accepted while a
 * rotation is under way, and caches them: one Secrets Manager call per container per
 * `maxAgeMs`, not one per callback.
 *
 * A read that fails (an error or a timeout: a blip) never throws away secrets that were read
 * before: they keep serving until a read succeeds, tried again at most every
 * `minRefreshIntervalMs`. Otherwise one junk signature during a blip, which forces a re-read,
 * would turn the next genuine callback into a 503. Only a secret that is unset or empty (or
 * gone) is `not_configured`.
 */
export class SecretsManagerSecrets implements SecretSource {
  /** The last successful read. */
  private known: { secrets: readonly string[]; readAt: number } | undefined;
  /** The read under way, shared by every callback that waits for it. */
  private reading: Promise<readonly string[]> | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private readonly deadlineMs: number;
  private readonly maxAgeMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    options: SecretsManagerOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? 1_500;
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  current(): Promise<readonly string[]> {
    const known = this.known;
    if (known === undefined) return this.read();
    if (this.now() - known.readAt < this.maxAgeMs || this.tooSoon()) {
      return Promise.resolve(known.secrets);
    }
    return this.read();
  }

  refreshed(): Promise<readonly string[]> {
    const known = this.known;
    if (known !== undefined && this.tooSoon()) return Promise.resolve(known.secrets);
    return this.read();
  }

  /** Re-reads are spaced out, whether the last one succeeded or not (forgeries must not flood). */
  private tooSoon(): boolean {
    return this.now() - this.lastAttemptAt < this.minRefreshIntervalMs;
  }

  private read(): Promise<readonly string[]> {
    if (this.reading !== undefined) return this.reading;
    this.lastAttemptAt = this.now();
    const reading = this.fetch().then(
      (secrets) => {
        this.known = { secrets, readAt: this.now() };
        return secrets;
      },
      (error: unknown) => {
        // Unset or empty is the operator's to fix: nothing earlier may stand in for it.
        if (error instanceof NotConfiguredError) this.known = undefined;
        else if (this.known !== undefined) return this.known.secrets;
        throw error;
      },
    );
    this.reading = reading;
    const done = () => {
      if (this.reading === reading) this.reading = undefined;
    };
    reading.then(done, done);
    return reading;
  }

  private async fetch(): Promise<readonly string[]> {
    const [current, previous] = await Promise.all([
      this.version('AWSCURRENT'),
      this.version('AWSPREVIOUS'),
    ]);
    if (current === undefined) throw new NotConfiguredError('the callback secret has not been set');
    return previous === undefined || previous === current ? [current] : [current, previous];
  }

  private async version(stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> {
    let value: string | undefined;
    try {
      const controller = new AbortController();
      const output = await withDeadline(
        this.deadlineMs,
        this.client.send(
          new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }),
          { abortSignal: controller.signal },
        ),
        (error) => controller.abort(error),
      );
      value = output.SecretString?.trim();
    } catch (cause) {
      // A secret that was never rotated has no AWSPREVIOUS; one never set has no AWSCURRENT.
      if (cause instanceof ResourceNotFoundException) return undefined;
      throw new SecretUnavailableError('the callback secret could not be read', { cause });
    }
    return value === '' || value === UNSET_SECRET_PLACEHOLDER ? undefined : value;
  }
}
