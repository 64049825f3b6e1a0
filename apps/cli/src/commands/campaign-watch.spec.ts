import { callBudgetPart, progressLine } from './campaign-watch';

/** `campaign watch` shows the shared channel call budget of the campaign's regions (issue 10). */
describe('campaign watch line: call budget', () => {
  it('shows effective/limit per region, the most throttled first, at most three', () => {
    expect(callBudgetPart(undefined)).toBeNull();
    expect(callBudgetPart({})).toBeNull();
    expect(
      callBudgetPart({
        'eu-west-1': { limit: 40, effective: 40 },
        'us-east-1': { limit: 40, effective: 10 },
        'ap-south-1': { limit: 40, effective: null },
        'eu-central-1': { limit: 40, effective: 20 },
      }),
    ).toBe('call budget us-east-1 10/40/s, eu-central-1 20/40/s, eu-west-1 40/40/s +1 more');
    expect(callBudgetPart({ 'eu-west-1': { limit: 40, effective: null } })).toBe('call budget eu-west-1 ?/40/s');
  });

  it('ends the progress line', () => {
    const line = progressLine({
      state: 'running',
      targets: { eligible: 10 },
      counts: { done: 4, running: 2 },
      budget: { failures: 0, maxErrors: 0, unreachable: 0 },
      progress: { rate: { lastMinute: 3, last5MinutesPerMinute: 2.5 }, eta: { seconds: 90 } },
      callBudget: { 'eu-west-1': { limit: 50, effective: 25 } },
    });
    expect(line).toBe('running | done 4/10 | in flight 2 | failures 0/0 (stops at 1) | unreachable 0 | rate 2.5/min (last min 3) | ETA 1m30s | call budget eu-west-1 25/50/s');
  });
});
