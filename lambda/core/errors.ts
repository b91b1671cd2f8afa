/**
 * Every way a callback can be refused or fail, with the HTTP status ZEGOCLOUD receives and the
 * reason it is counted under: the one place mapping outcomes to statuses. ZEGOCLOUD retries all
 * but 2xx, so 4xx is for what a retry cannot fix, 503 for what it can (our queue, our secret).
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

/** Each class names itself in a literal: minified, `new.target.name` would log one letter. */
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

/** A field missing or mistyped: 400 before the signature is verified, quarantined after. */
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

/** A captured signature with another body: ZEGOCLOUD's genuine retries carry the same body. */
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

/** No secret or bad settings: 503, not 401, so ZEGOCLOUD retries while someone fixes it. */
export class NotConfiguredError extends CallbackError {
  override readonly name = 'NotConfiguredError';
  readonly status = 503;
  readonly code = 'not_configured';
  readonly reason = 'not_configured';
}

/** The secret could not be read and no earlier read is cached: a blip, retried. */
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
