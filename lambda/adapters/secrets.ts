import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NotConfiguredError } from '../core/errors.js';
import { UNSET_SECRET_PLACEHOLDER } from './config.js';
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
 */
export class SecretsManagerSecrets implements SecretSource {
  private cached: { secrets: Promise<readonly string[]>; readAt: number } | undefined;
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
    const cached = this.cached;
    if (cached !== undefined && this.now() - cached.readAt < this.maxAgeMs) return cached.secrets;
    return this.read();
  }

  refreshed(): Promise<readonly string[]> {
    const cached = this.cached;
    if (cached !== undefined && this.now() - cached.readAt < this.minRefreshIntervalMs) {
      return cached.secrets;
    }
    return this.read();
  }

  private read(): Promise<readonly string[]> {
    const secrets = this.fetch();
    const entry = { secrets, readAt: this.now() };
    this.cached = entry;
    // A failed read must not be served from the cache: the next callback tries again.
    secrets.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return secrets;
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
      throw new NotConfiguredError('the callback secret could not be read', { cause });
    }
    return value === '' || value === UNSET_SECRET_PLACEHOLDER ? undefined : value;
  }
}
