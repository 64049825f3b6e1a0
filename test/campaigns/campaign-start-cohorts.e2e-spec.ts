import { CampaignScheduler } from '@rdpfix/campaigns';
import { CampaignStack, createCampaign, getCampaign, simFleet, startCampaignStack, targetsOf, waitUntil } from './support/harness';

/**
 * Start cohorts (docs/campaigns.md): slots the ramp frees wait, from the wave's last start, up to
 * a share of the wave's mean run time, while the targets in flight are expected to free as many
 * again, so that targets start together and share batches. The diagnose runs for minutes, so no
 * remediation ends on its own: the test ends one itself, with a known run time, and sets the
 * wave's counters where a ramp would have put them, then runs the ticks itself (the sweeper is
 * kept out of the way) and reads what they did in PostgreSQL.
 */
const CONFIG = { CAMPAIGN_SWEEP_INTERVAL_MS: 600_000, CAMPAIGN_COHORT_SHARE_PCT: 50, CAMPAIGN_COHORT_MAX_MS: 60_000, CAMPAIGN_COHORT_MIN_RUN_MS: 20_000 };

describe('campaign start cohorts', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { scriptRunMs: { diagnose: 180_000 } } });
  });
  afterAll(async () => s.close());

  const wave = async (id: string) =>
    (await s.pg.query(`SELECT ok, run_ms_sum::int AS "runMsSum", runs_timed AS "runsTimed", last_start_at AS "lastStartAt" FROM campaign_waves WHERE campaign_id = $1`, [id])).rows[0];

  it('holds freed slots while more are expected, starts them together after the hold, and starts at once when waiting would not double the cohort', async () => {
    const ids = await simFleet(s.stack, 70, { preset: 'healthy' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 70, targets: targetsOf(ids) });
    const scheduler = s.stack.workerApp!.get(CampaignScheduler);
    await waitUntil('the ramp to start its first target', async () => (await getCampaign(s.stack, c.id)).counts.running === 1, 30_000);

    // As if 39 targets had ended well: the window is 40. No run time is known yet, so nothing is held.
    await s.pg.query(`UPDATE campaign_waves SET ok = 39, cleared_ok = 39 WHERE campaign_id = $1`, [c.id]);
    expect(await scheduler.tick(c.id)).toMatchObject({ started: 39, cohortHoldMs: 0 });
    const started = await wave(c.id);
    expect(started.lastStartAt).not.toBeNull();

    // One remediation ends after 30 s: its run time is recorded, and its slot (plus the one the
    // ramp adds) is held, because 39 in flight are expected to free about 19 more in the hold.
    const { rows } = await s.pg.query(`SELECT remediation_id FROM campaign_targets WHERE campaign_id = $1 AND state = 'running' ORDER BY seq LIMIT 1`, [c.id]);
    const ended = rows[0].remediation_id as string;
    await s.pg.query(`UPDATE remediations SET state = 'finished', outcome = 'diagnosed', finished_at = now() WHERE id = $1`, [ended]);
    await s.pg.query(`UPDATE campaign_targets SET started_at = now() - interval '30 seconds', harvest_due = true WHERE remediation_id = $1`, [ended]);
    const held = await scheduler.tick(c.id);
    expect(held).toMatchObject({ harvested: 1, started: 0 });
    // 50 % of a 30 s mean run time, from the last start a moment ago.
    expect(held.cohortHoldMs).toBeGreaterThan(10_000);
    expect(held.cohortHoldMs).toBeLessThanOrEqual(15_000);
    const timed = await wave(c.id);
    expect(timed).toMatchObject({ ok: 40, runsTimed: 1 });
    expect(timed.runMsSum).toBeGreaterThanOrEqual(30_000);
    expect(timed.runMsSum).toBeLessThan(40_000);
    expect((await getCampaign(s.stack, c.id)).counts).toMatchObject({ running: 39, done: 1 });

    // The hold is over (the last start is 20 s old): the freed slots start together.
    await s.pg.query(`UPDATE campaign_waves SET last_start_at = now() - interval '20 seconds' WHERE campaign_id = $1`, [c.id]);
    expect(await scheduler.tick(c.id)).toMatchObject({ started: 2, cohortHoldMs: 0 });

    // A window of 60: 19 slots free, 41 in flight, 5 s of the hold left: about 7 more expected,
    // which would not double a cohort of 19, so they start at once.
    await s.pg.query(`UPDATE campaign_waves SET ok = 59, cleared_ok = 59, last_start_at = now() - interval '10 seconds' WHERE campaign_id = $1`, [c.id]);
    expect(await scheduler.tick(c.id)).toMatchObject({ started: 19, cohortHoldMs: 0 });
    expect((await getCampaign(s.stack, c.id)).counts).toMatchObject({ running: 60, done: 1, pending: 9 });
  }, 120_000);
});
