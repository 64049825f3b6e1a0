import { CAMPAIGN_EXIT, campaignExitCode } from './campaign-exit';

describe('campaignExitCode', () => {
  const c = (state: string, eligible: number, outcomes: Record<string, number>) => ({ state, targets: { eligible }, outcomes });
  it('is 0 only when every target is fixed, already healthy or diagnosed (exclusions are not targets)', () => {
    expect(campaignExitCode(c('completed', 3, { fixed: 1, already_healthy: 1, diagnosed: 1, skipped: 4 }))).toBe(CAMPAIGN_EXIT.ok);
    expect(campaignExitCode(c('completed', 3, { fixed: 2, refused: 1 }))).toBe(CAMPAIGN_EXIT.completedWithFailures);
    expect(campaignExitCode(c('completed', 3, { fixed: 2, unreachable: 1 }))).toBe(CAMPAIGN_EXIT.completedWithFailures);
    expect(campaignExitCode(c('completed', 3, { fixed: 2, skipped: 1 }))).toBe(CAMPAIGN_EXIT.completedWithFailures);
  });
  it('has distinct codes for a stop on the budget and a cancel', () => {
    expect(campaignExitCode(c('stopped', 3, { failed: 2 }))).toBe(CAMPAIGN_EXIT.stoppedOnBudget);
    expect(campaignExitCode(c('cancelled', 3, { fixed: 3 }))).toBe(CAMPAIGN_EXIT.cancelled);
    expect(new Set(Object.values(CAMPAIGN_EXIT)).size).toBe(Object.keys(CAMPAIGN_EXIT).length);
  });
});
