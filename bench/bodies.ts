import { callRejectFields, signCallback } from '../local/callback-signer.js';

export const BENCH_SECRET = 'bench-secret';
export const BENCH_TIMESTAMP = 1_800_000_000;

/** The pure-path input, the same for ours and the floor: n signed call_reject bodies. */
export function makeBodies(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      signCallback(callRejectFields({ call_id: String(3501761173612493269n + BigInt(i)) }), {
        secret: BENCH_SECRET,
        timestamp: BENCH_TIMESTAMP,
      }).body,
  );
}
