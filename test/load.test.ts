import { describe, expect, it } from 'vitest';
import { formatLoad, runLoad } from '../scripts/load.js';

describe('load on the local stack (short run; npm run load for the full one)', () => {
  it('answers every request 2xx and leaves exactly one message per distinct event', async () => {
    const report = await runLoad({
      callbacks: 400,
      connections: 10,
      duplicateShare: 0.3,
      maxSeconds: 60,
    });
    process.stdout.write(`${formatLoad(report)}\n`);
    expect(report.requests).toBe(400);
    expect(report.distinct).toBe(280);
    expect([report.errors, report.timeouts, report.non2xx]).toEqual([0, 0, 0]);
    expect(report.messages).toBe(280);
    expect(report.distinctMessages).toBe(280);
  });
});
