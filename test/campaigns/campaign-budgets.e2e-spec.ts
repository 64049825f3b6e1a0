import { CampaignStack, createCampaign, getCampaign, report, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';

/**
 * Issue 10 §5/§14: the error budget stops a campaign exactly when failures EXCEED it (shown at
 * creation as "stops at the Nth failure"), in-flight work finishes and its overshoot is counted,
 * and unreachable instances have their own budget that never consumes maxErrors.
 */
describe('campaign budgets', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack();
  });
  afterAll(async () => s.close());

  const failing = async (id: string) => s.stack.setFaults(id, { scriptFailureRate: 1 });

  it('stops exactly at the stop point ("10%" of 20 = 2: stops at the 3rd failure) and starts nothing after it', async () => {
    const ids = await simFleet(s.stack, 20, { preset: 'healthy' });
    // Targets 1, 3, 5, 7 and 9 (0-based 0, 2, 4, 6, 8) fail.
    for (const i of [0, 2, 4, 6, 8]) await failing(ids[i]);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 1, maxErrors: '10%', targets: targetsOf(ids) });
    expect(c.rateControl.maxErrors).toEqual({ spec: '10%', value: 2, stopsAt: 3, text: 'stops at the 3rd failure' });
    const done = await waitCampaign(s.stack, c.id, ['stopped']);
    expect(done.outcomes).toEqual({ failed: 3, diagnosed: 2, not_started: 15 });
    expect(done.budget).toMatchObject({ failures: 3, maxErrors: 2, stop: { kind: 'errors', countAtStop: 3, inFlightAtStop: 0, stopsAt: 3, overshoot: 0 } });
    // The simulator received nothing for the targets after the 5th (the 3rd failure).
    for (const id of ids.slice(5)) expect(await s.stack.simCommands(id)).toEqual([]);
    const rows = await report(s.stack, c.id, '?outcome=not_started');
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((r) => r.reason))).toEqual(new Set(['stopped_on_errors']));
  });

  it('lets work in flight finish after the stop and shows the overshoot', async () => {
    // Six good targets first open the ramp to the cap of 4, then everything fails.
    const good = await simFleet(s.stack, 6, { preset: 'healthy' });
    const bad = await simFleet(s.stack, 10, { preset: 'healthy' });
    for (const id of bad) await failing(id);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 4, maxErrors: 1, targets: targetsOf([...good, ...bad]) });
    const done = await waitCampaign(s.stack, c.id, ['stopped']);
    const stop = done.budget.stop;
    expect(stop.kind).toBe('errors');
    expect(stop.countAtStop).toBeGreaterThanOrEqual(2);
    // Failures = those counted at the stop + those in flight then (nothing started afterwards).
    expect(done.budget.failures).toBeLessThanOrEqual(stop.countAtStop + stop.inFlightAtStop);
    expect(stop.overshoot).toBe(done.budget.failures - 2);
    const started = (await report(s.stack, c.id)).filter((r) => r.startedAt);
    const stoppedAt = Date.parse(stop.at);
    expect(started.filter((r) => Date.parse(r.startedAt) > stoppedAt)).toEqual([]);
    expect(done.outcomes.diagnosed).toBe(6);
    expect(done.outcomes.failed).toBe(done.budget.failures);
    expect(done.outcomes.not_started).toBe(16 - 6 - done.budget.failures);
  });

  it('unreachable instances do not consume maxErrors', async () => {
    const ids = await simFleet(s.stack, 6, { preset: 'healthy' });
    for (const id of ids.slice(0, 3)) await s.stack.setAgent(id, false);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 2, maxErrors: 0, targets: targetsOf(ids) });
    const done = await waitCampaign(s.stack, c.id);
    expect(done.state).toBe('completed');
    expect(done.outcomes).toEqual({ unreachable: 3, diagnosed: 3 });
    expect(done.budget).toMatchObject({ failures: 0, unreachable: 3, stop: null });
    const rows = await report(s.stack, c.id, '?outcome=unreachable');
    expect(rows.map((r) => r.reason)).toEqual(['agent_offline', 'agent_offline', 'agent_offline']);
  });

  it('and have a budget of their own (maxUnreachable 1: stops at the 2nd unreachable instance)', async () => {
    const ids = await simFleet(s.stack, 6, { preset: 'healthy' });
    for (const id of ids) await s.stack.setAgent(id, false);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 1, maxErrors: 0, maxUnreachable: 1, targets: targetsOf(ids) });
    expect(c.rateControl.maxUnreachable.text).toBe('stops at the 2nd unreachable instance');
    const done = await waitCampaign(s.stack, c.id, ['stopped']);
    expect(done.outcomes).toEqual({ unreachable: 2, not_started: 4 });
    expect(done.budget).toMatchObject({ failures: 0, unreachable: 2, stop: { kind: 'unreachable', countAtStop: 2, overshoot: 0 } });
    const again = await getCampaign(s.stack, c.id, s.keys.support);
    expect(again.state).toBe('stopped');
  });
});
