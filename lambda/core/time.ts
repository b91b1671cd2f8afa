/**
 * `date.toISOString()`, three times faster: the engine's own goes through a runtime call that
 * costs about 0.45 µs, a tenth of the whole pure path. Years outside 1000-9999 (never a
 * callback's) take the engine's path, which writes them differently. test/time.test.ts holds
 * the two equal.
 */
export function isoTimestamp(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) return date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${year}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(
    date.getUTCHours(),
  )}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
