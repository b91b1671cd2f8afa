import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../lambda/core/time.js';

describe('isoTimestamp', () => {
  it('writes exactly what toISOString writes, for any valid date', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.date({
            min: new Date('1000-01-01T00:00:00.000Z'),
            max: new Date('9999-12-31T23:59:59.999Z'),
            noInvalidDate: true,
          }),
          fc.date({ noInvalidDate: true }),
        ),
        (date) => {
          expect(isoTimestamp(date)).toBe(date.toISOString());
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('pads every field, at both ends of the years it writes itself', () => {
    for (const text of [
      '1000-01-01T00:00:00.000Z',
      '2026-02-03T04:05:06.007Z',
      '2026-11-25T23:59:59.099Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(isoTimestamp(new Date(text))).toBe(text);
    }
  });

  it('throws on an invalid date, as toISOString does', () => {
    expect(() => isoTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
