import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'zego-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * The benchmark, in a short run: it must keep working and keep measuring what it claims (every
 * handler answering 200, every row printed). Its figures are reported, never asserted.
 */
describe('npm run bench', () => {
  it('measures ours, the floor and the peer, every callback answered 200, and prints every row', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--runs',
        '2',
        '--warm',
        '100',
        '--pure',
        '500',
        '--out',
        out,
      ],
      { env: process.env, maxBuffer: 16 * 1024 * 1024 },
    );
    for (const row of [
      'cold start, median of 2',
      'bundle loaded',
      'first invocation',
      'warm p50 over 100',
      'warm p99',
      'warm CPU per callback',
      'pure path, one core',
      'bundle (KiB)',
      'reference, the floor with the SDK middleware cache',
    ]) {
      expect(stdout).toContain(row);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.node).toMatch(/^v24\./);
    // The verdicts' ratios, paired sample by sample, are computed for every timed row.
    for (const key of ['cold', 'loaded', 'coldCpu', 'firstCall', 'warmP50', 'warmCpu']) {
      expect(results.paired[key]).toBeGreaterThan(0);
      expect(Number.isFinite(results.paired[key])).toBe(true);
    }
    expect(results.warm.ours.roundP50s).toHaveLength(results.warm.floor.roundP50s.length);
    expect(results.coldStatuses).toEqual([200]);
    for (const name of ['ours', 'floor', 'peer', 'floorCached']) {
      const answered = Object.values(results.warm[name].statuses as Record<string, number>);
      expect(results.warm[name].statuses).toEqual({ 200: answered.reduce((a, b) => a + b, 0) });
    }
    for (const name of ['ours', 'floor', 'peer']) {
      expect(results.bundleBytes[name]).toBeGreaterThan(0);
    }
    // The floor is bundled as the handler is (SDK inside); the peer leaves the SDK out.
    expect(results.bundleBytes.floor).toBeGreaterThan(100 * 1024);
    expect(results.bundleBytes.peer).toBeLessThan(10 * 1024);
  });
});
