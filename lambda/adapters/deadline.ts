/** Thrown when an AWS call outlives its budget. */
export class DeadlineExceededError extends Error {
  constructor(readonly milliseconds: number) {
    super(`no answer within ${milliseconds} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Bounds a call in wall-clock time whatever the SDK does inside (retries, backoff, a socket that
 * accepts and never answers): ZEGOCLOUD must get a quick non-2xx so that it retries.
 */
export async function withDeadline<T>(
  milliseconds: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(milliseconds);
      controller.abort(error);
      reject(error);
    }, milliseconds);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
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
