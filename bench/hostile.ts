import { receiveCallback } from '../lambda/core/callback.js';
import { hostileBodies } from '../test/fixtures/hostile-bodies.js';
import { makeBodies } from './bodies.js';

export interface HostileResult {
  /** The hostile body that cost the most, and its median time to be refused (µs). */
  readonly worst: { readonly name: string; readonly microseconds: number };
  /** A typical signed callback through the same steps: decoding and the signature fields (µs). */
  readonly typicalMicroseconds: number;
  readonly typicalBytes: number;
}

/**
 * What an unsigned body costs before it is refused: each of the test suite's hostile 64 KiB
 * bodies (test/fixtures/hostile-bodies.ts) through everything done before the signature check,
 * against a typical callback through the same. The median of `rounds` runs each.
 */
export function measureHostile(rounds = 21): HostileResult {
  let worst = { name: '', microseconds: 0 };
  for (const hostile of hostileBodies()) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      try {
        receiveCallback(hostile);
      } catch {
        // Refused, as every one of them must be (the tests check it).
      }
      times.push((performance.now() - started) * 1000);
    }
    const microseconds = median(times);
    if (microseconds > worst.microseconds) worst = { name: hostile.name, microseconds };
  }
  const typical = makeBodies(10_000).map((body) => ({ body, isBase64Encoded: false }));
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    for (const raw of typical) receiveCallback(raw);
    times.push(((performance.now() - started) * 1000) / typical.length);
  }
  const typicalBytes = Buffer.byteLength(typical[0]?.body ?? '');
  return { worst, typicalMicroseconds: median(times), typicalBytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
