/** Thrown when an AWS call outlives its budget. */
export class DeadlineExceededError extends Error {
  constructor(readonly milliseconds: number) {
    super(`no answer within ${milliseconds} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Bounds a call in wall-clock time whatever the SDK does inside (retries, backoff, a socket that
 * accepts and never answers): ZEGOCLOUD must get a quick non-2xx so that it retries. `onExpiry`
 * may cancel the work (an AbortController's abort); work not cancelled is left to settle on its
 * own, its outcome ignored.
 */
export async function withDeadline<T>(
  milliseconds: number,
  work: Promise<T>,
  onExpiry?: (error: DeadlineExceededError) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(milliseconds);
      onExpiry?.(error);
      reject(error);
    }, milliseconds);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SDK settings shared by every client of the function: fail fast at each layer so that the
 * deadline above is the last resort, not the normal path.
 */
export const sdkClientSettings = {
  maxAttempts: 3,
  requestHandler: {
    connectionTimeout: 500,
    requestTimeout: 1_000,
    // Without this the SDK only logs a warning when requestTimeout passes, and keeps waiting.
    throwOnRequestTimeout: true,
  },
} as const;

/**
 * For the clients called once per callback (SQS, the replay guard's DynamoDB): the SDK resolves
 * a command's middleware stack once per command class instead of on every send, the largest
 * single saving the bench found (about 45 µs of CPU per callback, 7% of the warm path). The
 * SDK only uses that cache when `send` is given no options, so these clients get no abort
 * signal: at the deadline the handler answers 503 anyway, and the attempt still running stays
 * bounded by the timeouts above. Should it store the message after all, ZEGOCLOUD's retry
 * collapses onto it by deduplication ID (and the guard's retry matches its own record).
 */
export const perCallbackClientSettings = { ...sdkClientSettings, cacheMiddleware: true } as const;
