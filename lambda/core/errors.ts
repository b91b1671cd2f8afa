/**
 * Every way a callback can be refused or fail, each knowing the HTTP status ZEGOCLOUD receives
 * and the reason it is counted under. This is the one place that maps outcomes to statuses.
 *
 * ZEGOCLOUD retries anything that is not 2xx (2, 4, 8, 16, 32 s), so the split matters:
 * 4xx for what a retry cannot fix (it is retried anyway, and refused again, harmlessly),
 * 503 for what a retry can fix (our queue or our secret), so the event is not lost.
 */

/** Reasons as counted in logs and metrics; stable names, one per refusal or failure kind. */
export type FailureReason =
  | 'too_large'
  | 'malformed'
  | 'invalid_field'
  | 'signature'
  | 'stale'
  | 'future'
  | 'app_id'
  | 'replay'
  | 'not_configured'
  | 'secret_unavailable'
  | 'enqueue_failed'
  | 'quarantine_failed'
  | 'guard_failed'
  | 'internal';

/**
 * Each class names itself in a literal: the bundle is minified, and a name taken from the class
 * (`new.target.name`) would reach the logs as one letter.
 */
export abstract class CallbackError extends Error {
  abstract override readonly name: string;
  abstract readonly status: number;
  /** Machine-readable code sent back in the JSON error body. */
  abstract readonly code: string;
  abstract readonly reason: FailureReason;
}

export class PayloadTooLargeError extends CallbackError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly code = 'payload_too_large';
  readonly reason = 'too_large';
}

/** The body is not a decodable object (bad JSON, bad URL encoding, not an object). */
export class MalformedBodyError extends CallbackError {
  override readonly name = 'MalformedBodyError';
  readonly status = 400;
  readonly code = 'malformed_body';
  readonly reason = 'malformed';
}

/**
 * The body decoded, but a field is missing or of the wrong type. Before the signature is
 * verified that is a 400; after it, the callback is quarantined instead (core/decide.ts).
 */
export class InvalidFieldError extends CallbackError {
  override readonly name = 'InvalidFieldError';
  readonly status = 400;
  readonly code = 'invalid_field';
  readonly reason = 'invalid_field';
  constructor(
    /** Where the problem is, e.g. `user_ids[2]`. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export class SignatureError extends CallbackError {
  override readonly name = 'SignatureError';
  readonly status = 401;
  readonly code = 'invalid_signature';
  readonly reason = 'signature';
}

/** Signed correctly, but too old: a replay, or a retry that outlived the window. */
export class StaleTimestampError extends CallbackError {
  override readonly name = 'StaleTimestampError';
  readonly status = 401;
  readonly code = 'stale_timestamp';
  readonly reason = 'stale';
}

/** Signed correctly, but from the future: clock skew, or a pre-computed forgery. */
export class FutureTimestampError extends CallbackError {
  override readonly name = 'FutureTimestampError';
  readonly status = 401;
  readonly code = 'future_timestamp';
  readonly reason = 'future';
}

/**
 * A signature already accepted with another body: someone attached a body of their own to a
 * captured signature. ZEGOCLOUD's genuine retries carry the same body.
 */
export class ReplayedSignatureError extends CallbackError {
  override readonly name = 'ReplayedSignatureError';
  readonly status = 401;
  readonly code = 'replayed_signature';
  readonly reason = 'replay';
}

export class AppIdMismatchError extends CallbackError {
  override readonly name = 'AppIdMismatchError';
  readonly status = 403;
  readonly code = 'app_id_mismatch';
  readonly reason = 'app_id';
}

/**
 * An operator error (no secret, bad settings). 503 rather than 401 so that it does not look
 * like an attack and ZEGOCLOUD keeps retrying while someone fixes it.
 */
export class NotConfiguredError extends CallbackError {
  override readonly name = 'NotConfiguredError';
  readonly status = 503;
  readonly code = 'not_configured';
  readonly reason = 'not_configured';
}

/**
 * The secret could not be read (a Secrets Manager error or timeout) and no earlier read is
 * cached: a blip, not an operator error; retried.
 */
export class SecretUnavailableError extends CallbackError {
  override readonly name = 'SecretUnavailableError';
  readonly status = 503;
  readonly code = 'secret_unavailable';
  readonly reason = 'secret_unavailable';
}

/** The replay guard's table could not be written: retry rather than accept unchecked. */
export class ReplayGuardError extends CallbackError {
  override readonly name = 'ReplayGuardError';
  readonly status = 503;
  readonly code = 'replay_guard_unavailable';
  readonly reason = 'guard_failed';
}

export class EnqueueError extends CallbackError {
  override readonly name = 'EnqueueError';
  readonly status = 503;
  readonly code = 'enqueue_failed';
  readonly reason = 'enqueue_failed';
}

/** A signed callback this version cannot use could not be kept on the quarantine queue. */
export class QuarantineError extends CallbackError {
  override readonly name = 'QuarantineError';
  readonly status = 503;
  readonly code = 'quarantine_failed';
  readonly reason = 'quarantine_failed';
}

/** A bug of ours. Still an answer (ZEGOCLOUD retries it), never an exception out of the handler. */
export class InternalError extends CallbackError {
  override readonly name = 'InternalError';
  readonly status = 500;
  readonly code = 'internal_error';
  readonly reason = 'internal';
}

export function asCallbackError(error: unknown): CallbackError {
  if (error instanceof CallbackError) return error;
  return new InternalError('unexpected internal error', { cause: error });
}
