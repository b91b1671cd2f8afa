import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_TIMEOUTS,
  FAULT_KINDS,
  formatReport,
  runFaultCampaign,
} from '../scripts/fault-campaign.js';

describe('the fault campaign (short run; npm run faults for the full one)', () => {
  it('loses no acknowledged callback and duplicates none, whatever SQS does', async () => {
    const report = await runFaultCampaign({
      callbacks: 600,
      concurrency: 16,
      faultRate: 0.3,
      outageShare: 0.02,
      seed: 7,
      ...CAMPAIGN_TIMEOUTS,
    });
    process.stdout.write(`${formatReport(report)}\n`);

    // Every kind of fault was met, so the run tested what it claims.
    for (const kind of FAULT_KINDS) expect(report.faults[kind]).toBeGreaterThan(0);
    expect(report.statuses['503']).toBeGreaterThan(0);

    // The promise: acknowledged means stored exactly once; nothing stored that was never sent.
    expect(report.acknowledgedMissing).toBe(0);
    expect(report.acknowledgedDuplicated).toBe(0);
    expect(report.neverSent).toBe(0);
    expect(report.acknowledged + report.givenUp).toBe(600);
    expect(report.messages).toBe(report.acknowledged + report.storedButUnacknowledged);
    // Retries whose first send was stored were collapsed by SQS, not added.
    expect(report.duplicatesCollapsed).toBeGreaterThan(0);

    // Only the callbacks caught in the outage are given up, and each saw six non-2xx answers.
    expect(report.givenUp).toBeGreaterThanOrEqual(12);
    expect(report.givenUpSawOnlyNon2xx).toBe(true);
  });
});
