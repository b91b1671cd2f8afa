import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NotConfiguredError, SecretUnavailableError } from '../core/errors.js';
import { SETTINGS, UNSET_SECRET_PLACEHOLDER } from '../settings.js';
import { DeadlineExceededError, withDeadline } from './deadline.js';

/** An operator who has just put the secret sees it within this, a forgery flood costs no more. */
export const SECRET_READ_INTERVAL_MS = 30_000;

/** Where the CallbackSecret comes from; every secret returned is accepted. */
export interface SecretSource {
  /**
   * `withinMs`: what remains of the callback's budget (deadline.ts). `reread`: a signature
   * matched none of them, so they may have just changed.
   */
  current(withinMs?: number, reread?: boolean): Promise<readonly string[]>;
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
}

export interface SecretsManagerOptions {
  /** Each GetSecretValue call's own cap. */
  readonly deadlineMs: number;
  /** How long a read is trusted before the next callback re-reads. */
  readonly maxAgeMs: number;
  /** The least time between two reads, whatever their outcome (forgeries must not flood). */
  readonly minReadIntervalMs: number;
  /** How long after AWSCURRENT's version was created AWSPREVIOUS is accepted; 0: never. */
  readonly previousSecretMs: number;
  readonly now: () => number;
}

/** What a read found: AWSCURRENT, then AWSPREVIOUS if any, accepted until `previousUntil` (ms). */
interface SecretRead {
  readonly secrets: readonly string[];
  readonly previousUntil: number;
}

/**
 * AWSCURRENT, and AWSPREVIOUS for `previousSecretMs` after AWSCURRENT was put: a rotation
 * overlaps, then a retired (perhaps leaked) secret stops working. At most one read per
 * `minReadIntervalMs`, whatever its outcome, so that no request pattern costs more; a failed
 * read serves the last good one, or is `secret_unavailable`. Only an unset, empty or gone
 * secret is `not_configured`, and then nothing read before stands in for it.
 */
export class SecretsManagerSecrets implements SecretSource {
  private readonly options: SecretsManagerOptions;
  /** The last read, done or under way: shared by every callback until the next. */
  private last: Promise<SecretRead> | undefined;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private lastFailed = false;
  /** The last successful read. */
  private known: SecretRead | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    options: Partial<SecretsManagerOptions> = {},
  ) {
    this.options = {
      deadlineMs: 1_500,
      maxAgeMs: 5 * 60_000,
      minReadIntervalMs: SECRET_READ_INTERVAL_MS,
      previousSecretMs: SETTINGS.previousSecretHours.default * 3_600_000,
      now: Date.now,
      ...options,
    };
  }

  async current(withinMs = this.options.deadlineMs, reread = false): Promise<readonly string[]> {
    const { now, maxAgeMs, minReadIntervalMs } = this.options;
    const age = now() - this.lastReadAt;
    if (
      this.last === undefined ||
      ((reread || this.lastFailed || age >= maxAgeMs) && age >= minReadIntervalMs)
    ) {
      this.lastReadAt = now();
      this.last = this.read();
    }
    let read: SecretRead;
    try {
      read = await withDeadline(withinMs, this.last);
    } catch (cause) {
      if (!(cause instanceof DeadlineExceededError)) throw cause;
      throw new SecretUnavailableError('the callback secret was not read in time', { cause });
    }
    return now() < read.previousUntil ? read.secrets : read.secrets.slice(0, 1);
  }

  private read(): Promise<SecretRead> {
    return this.fetch().then(
      (read) => {
        this.lastFailed = false;
        this.known = read;
        return read;
      },
      (error: unknown) => {
        this.lastFailed = true;
        if (error instanceof NotConfiguredError) this.known = undefined;
        else if (this.known !== undefined) return this.known;
        throw error;
      },
    );
  }

  private async fetch(): Promise<SecretRead> {
    const { previousSecretMs } = this.options;
    const [current, previous] = await Promise.all([
      this.version('AWSCURRENT'),
      previousSecretMs > 0 ? this.version('AWSPREVIOUS') : undefined,
    ]);
    const [value, retired] = [current, previous].map((output) => output?.SecretString?.trim());
    if (!value || value === UNSET_SECRET_PLACEHOLDER) {
      throw new NotConfiguredError('the callback secret has not been set');
    }
    const overlap = retired && retired !== UNSET_SECRET_PLACEHOLDER && retired !== value;
    // Without a creation date, AWSPREVIOUS is not accepted: only a recent rotation may overlap.
    const created = current?.CreatedDate?.getTime() ?? Number.NEGATIVE_INFINITY;
    return {
      secrets: overlap ? [value, retired] : [value],
      previousUntil: created + previousSecretMs,
    };
  }

  private async version(stage: 'AWSCURRENT' | 'AWSPREVIOUS') {
    try {
      const controller = new AbortController();
      return await withDeadline(
        this.options.deadlineMs,
        this.client.send(
          new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }),
          { abortSignal: controller.signal },
        ),
        (error) => controller.abort(error),
      );
    } catch (cause) {
      // A secret that was never rotated has no AWSPREVIOUS; one never set has no AWSCURRENT.
      if (cause instanceof ResourceNotFoundException) return undefined;
      throw new SecretUnavailableError('the callback secret could not be read', { cause });
    }
  }
}
