import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { UNSET_SECRET_PLACEHOLDER } from '../../config/settings.js';
import { NotConfiguredError, SecretUnavailableError } from '../core/errors.js';
import { DeadlineExceededError, withDeadline } from './deadline.js';

/** An operator who has just put the secret sees it within this, a forgery flood costs no more. */
export const SECRET_READ_INTERVAL_MS = 30_000;

/** Where the CallbackSecret comes from; every secret returned is accepted. */
export interface SecretSource {
  /** `withinMs`: what remains of the callback's budget (deadline.ts). */
  current(withinMs?: number): Promise<readonly string[]>;
  /** Called when a signature matched none of the current secrets: they may have just changed. */
  refreshed(withinMs?: number): Promise<readonly string[]>;
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
  /** Each GetSecretValue call's own cap. */
  readonly deadlineMs?: number;
  /** How long a read is trusted before the next callback re-reads. */
  readonly maxAgeMs?: number;
  /** The least time between two reads, whatever their outcome (forgeries must not flood). */
  readonly minReadIntervalMs?: number;
  /** How long after AWSCURRENT's version was created AWSPREVIOUS is accepted; 0: never. */
  readonly previousSecretMs?: number;
  readonly now?: () => number;
}

/** What a read found: AWSPREVIOUS is accepted until `previousUntil` (ms). */
interface SecretRead {
  readonly current: string;
  readonly previous?: string | undefined;
  readonly previousUntil: number;
}

/**
 * Reads AWSCURRENT and AWSPREVIOUS, so that callbacks signed with either are accepted while a
 * rotation is under way; AWSPREVIOUS only for `previousSecretMs` after AWSCURRENT was put, so
 * that a retired (perhaps leaked) secret stops working.
 *
 * At most one read (two calls) per `minReadIntervalMs` per container, whatever its outcome: in
 * between, every callback gets the last read's outcome, secrets or error, so no request
 * pattern costs more. A good read is kept `maxAgeMs`; a failed one (an error, a timeout) keeps
 * the secrets read before, or else is `secret_unavailable`. Only an unset, empty or gone secret
 * is `not_configured`, and then nothing read before stands in for it.
 */
export class SecretsManagerSecrets implements SecretSource {
  /** The last read, done or under way: shared by every callback until the next. */
  private last: Promise<SecretRead> | undefined;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private lastFailed = false;
  /** The last successful read. */
  private known: SecretRead | undefined;
  private readonly deadlineMs: number;
  private readonly maxAgeMs: number;
  private readonly minReadIntervalMs: number;
  private readonly previousSecretMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    options: SecretsManagerOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? 1_500;
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.minReadIntervalMs = options.minReadIntervalMs ?? SECRET_READ_INTERVAL_MS;
    this.previousSecretMs = options.previousSecretMs ?? 24 * 3_600_000;
    this.now = options.now ?? Date.now;
  }

  current(withinMs?: number): Promise<readonly string[]> {
    return this.get(false, withinMs);
  }

  refreshed(withinMs?: number): Promise<readonly string[]> {
    return this.get(true, withinMs);
  }

  private async get(forced: boolean, withinMs = this.deadlineMs): Promise<readonly string[]> {
    const age = this.now() - this.lastReadAt;
    const due = forced || this.lastFailed || age >= this.maxAgeMs;
    if (this.last === undefined || (due && age >= this.minReadIntervalMs)) {
      this.lastReadAt = this.now();
      this.last = this.read();
    }
    let read: SecretRead;
    try {
      read = await withDeadline(withinMs, this.last);
    } catch (cause) {
      if (!(cause instanceof DeadlineExceededError)) throw cause;
      throw new SecretUnavailableError('the callback secret was not read in time', { cause });
    }
    const { current, previous, previousUntil } = read;
    return previous !== undefined && this.now() < previousUntil ? [current, previous] : [current];
  }

  private read(): Promise<SecretRead> {
    return this.fetch().then(
      (read) => {
        this.known = read;
        this.lastFailed = false;
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
    const [current, previous] = await Promise.all([
      this.version('AWSCURRENT'),
      this.previousSecretMs > 0 ? this.version('AWSPREVIOUS') : undefined,
    ]);
    if (current?.value === undefined) {
      throw new NotConfiguredError('the callback secret has not been set');
    }
    // No creation date, no AWSPREVIOUS: a retired secret is only accepted while known to be recent.
    const created = current.created?.getTime() ?? Number.NEGATIVE_INFINITY;
    return {
      current: current.value,
      previous: previous?.value === current.value ? undefined : previous?.value,
      previousUntil: created + this.previousSecretMs,
    };
  }

  private async version(
    stage: 'AWSCURRENT' | 'AWSPREVIOUS',
  ): Promise<{ value?: string | undefined; created?: Date | undefined } | undefined> {
    let output: GetSecretValueCommandOutput;
    try {
      const controller = new AbortController();
      output = await withDeadline(
        this.deadlineMs,
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
    const value = output.SecretString?.trim();
    const unset = value === '' || value === UNSET_SECRET_PLACEHOLDER;
    return { value: unset ? undefined : value, created: output.CreatedDate };
  }
}
