/** One budget per callback, so that it is answered within 5 s whatever its dependencies do. */
export const CALLBACK_BUDGET_MS = 4_500;

/** What remains, in ms, of a budget starting now: each step gets it, within its own cap. */
export function startBudget(milliseconds: number): () => number {
  const endsAt = performance.now() + milliseconds;
  return () => Math.max(0, endsAt - performance.now());
}

/** Thrown when an AWS call outlives its budget. */
export class DeadlineExceededError extends Error {
  constructor(readonly milliseconds: number) {
    super(`no answer within ${milliseconds} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Bounds a call in wall-clock time whatever the SDK does inside (retries, a socket that never
 * answers): ZEGOCLOUD must get a quick non-2xx so that it retries. `onExpiry` may cancel the
 * work; work not cancelled settles on its own, its outcome ignored.
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
