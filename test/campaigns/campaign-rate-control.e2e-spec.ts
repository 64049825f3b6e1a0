import { ChildProcess } from 'child_process';
import { CampaignStack, createCampaign, report, resetSimStats, simFleet, simStats, startCampaignStack, targetsOf, waitCampaign } from './support/harness';

/**
 * Issue 10 §5/§14: the concurrency cap is never exceeded — counted by the simulator, with two
 * workers ticking the same campaign at once —, the ramp is SSM's slow start, and waves run one
 * after another with their bake time.
 */
describe('campaign rate control: the cap, with two workers', () => {
  let s: CampaignStack;
  let second: ChildProcess;

  beforeAll(async () => {
    // A diagnose that runs far longer than the work around it, so that the targets in flight
    // overlap on the server (whatever the machine's load) and the cap is reached.
    s = await startCampaignStack({ sim: { scriptRunMs: { diagnose: 2500 } } });
    // A second worker process on the same queue and database: both tick the campaign.
    second = s.stack.spawnWorker();
  });
  afterAll(async () => s.close());

  it('never has more commands in flight than maxConcurrency ("25%" of 16 = 4), and reaches it', async () => {
    const ids = await simFleet(s.stack, 16, { preset: 'healthy' });
    await resetSimStats(s.stack);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: '25%', maxErrors: 0, targets: targetsOf(ids) });
    expect(c.rateControl.maxConcurrency).toEqual({ spec: '25%', value: 4 });
    const done = await waitCampaign(s.stack, c.id, ['completed'], 120_000);
    expect(done.outcomes).toEqual({ diagnosed: 16 });
    const stats = await simStats(s.stack);
    // Every target sent its diagnose once, and nothing more.
    expect(stats.invocationsCreated).toBe(16);
    expect(stats.maxInFlight).toBeLessThanOrEqual(4);
    // The check can fail: the cap was actually reached.
    expect(stats.maxInFlight).toBe(4);
    // And each instance had one remediation only.
    const { rows } = await s.pg.query(`SELECT instance_id, count(*)::int AS n FROM remediations WHERE instance_id = ANY($1) GROUP BY 1 HAVING count(*) > 1`, [ids]);
    expect(rows).toEqual([]);
    // Both workers were up all along.
    expect(second.exitCode).toBeNull();
  });
});

describe('campaign rate control: ramp and waves', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack();
  });
  afterAll(async () => s.close());

  it('ramps up SSM-style: one first, then each good completion opens one more slot, up to the cap', async () => {
    const ids = await simFleet(s.stack, 20, { preset: 'healthy' });
    const cap = 8;
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: cap, targets: targetsOf(ids) });
    await waitCampaign(s.stack, c.id, ['completed'], 120_000);
    const rows = await report(s.stack, c.id);
    const t = rows.map((r) => ({ start: Date.parse(r.startedAt), end: Date.parse(r.finishedAt), ok: r.outcome !== 'failed' && r.outcome !== 'timed_out' }));
    const starts = [...new Set(t.map((r) => r.start))].sort((a, b) => a - b);
    // The first start is alone.
    expect(t.filter((r) => r.start === starts[0])).toHaveLength(1);
    let peak = 0;
    for (const at of starts) {
      const inFlight = t.filter((r) => r.start <= at && r.end > at).length;
      const okBefore = t.filter((r) => r.end <= at && r.ok).length;
      // In flight right after each start never exceeds the ramp window nor the cap.
      expect({ at, inFlight }).toEqual({ at, inFlight: Math.min(inFlight, cap, 1 + okBefore) });
      peak = Math.max(peak, inFlight);
    }
    // It did ramp beyond 1 and 2 (the window grows).
    expect(peak).toBeGreaterThan(2);
  });

  it('runs waves one after another with the bake time between them ([1, 3, "100%"], 1 s bake)', async () => {
    const ids = await simFleet(s.stack, 10, { preset: 'healthy' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 10, waves: [1, 3, '100%'], waveBakeSeconds: 1, targets: targetsOf(ids) });
    expect(c.rateControl.waves.map((w: { size: number }) => w.size)).toEqual([1, 2, 7]);
    await waitCampaign(s.stack, c.id, ['completed'], 60_000);
    const rows = await report(s.stack, c.id);
    const byWave = (w: number) => rows.filter((r) => r.wave === w);
    expect([byWave(1).length, byWave(2).length, byWave(3).length]).toEqual([1, 2, 7]);
    const lastEnd = (w: number) => Math.max(...byWave(w).map((r) => Date.parse(r.finishedAt)));
    const firstStart = (w: number) => Math.min(...byWave(w).map((r) => Date.parse(r.startedAt)));
    expect(firstStart(2) - lastEnd(1)).toBeGreaterThanOrEqual(1000);
    expect(firstStart(3) - lastEnd(2)).toBeGreaterThanOrEqual(1000);
    const events = await s.pg.query(`SELECT type, data FROM campaign_events WHERE campaign_id = $1 ORDER BY id`, [c.id]);
    expect(events.rows.map((e) => e.type)).toEqual(['campaign.started', 'campaign.wave_done', 'campaign.wave_done', 'campaign.wave_done', 'campaign.done']);
    expect(events.rows.filter((e) => e.type === 'campaign.wave_done').map((e) => e.data.wave)).toEqual([1, 2, 3]);
  });
});
