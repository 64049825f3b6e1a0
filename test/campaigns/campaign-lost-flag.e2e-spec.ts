import { CampaignListener, CampaignScheduler } from '@rdpfix/campaigns';
import { CampaignStack, createCampaign, getCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign, waitUntil } from './support/harness';

/**
 * A target is harvested when the remediation listener flags it (harvest_due) and a tick reads the
 * flags. If the flag statement fails (an error, a dead connection), nothing flags that target
 * again. A tick re-reads every started target once CAMPAIGN_FULL_HARVEST_MS passed since its
 * process's last such tick; before, only every sixth sweeper pass did, and it skips a campaign
 * locked by busy ticks. The fault is injected at the flag statement itself, and the sweeper is
 * kept out of the way (one pass in ten minutes), so only the tick can heal it.
 */
const FULL_HARVEST_MS = 1000;
const CONFIG = { CAMPAIGN_SWEEP_INTERVAL_MS: 600_000, CAMPAIGN_FULL_HARVEST_MS: FULL_HARVEST_MS };

type Flagging = { flag(ids: string[]): Promise<void> };

describe('a campaign whose harvest flag was lost', () => {
  let s: CampaignStack;
  let listener: Flagging;
  let original: Flagging['flag'];

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { seed: 29 } });
    listener = s.stack.workerApp!.get(CampaignListener) as unknown as Flagging;
    original = listener.flag.bind(listener);
  });
  afterEach(() => {
    listener.flag = original;
  });
  afterAll(async () => s.close());

  it('a finished remediation whose flag statement failed is harvested by the next tick once a full one is due, and the campaign completes', async () => {
    const ids = await simFleet(s.stack, 3, { preset: 'healthy' });
    const lost: string[] = [];
    listener.flag = async (remIds: string[]) => {
      if (lost.length === 0) {
        lost.push(...remIds);
        throw new Error('injected: the flag statement failed');
      }
      return original(remIds);
    };
    // The ramp starts one target; its flag is lost, so no tick sees it end and nothing else starts.
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 3, targets: targetsOf(ids) });
    await waitUntil('the first remediation to end', async () => lost.length > 0, 60_000);
    const [{ state }] = (await s.pg.query(`SELECT state FROM remediations WHERE id = $1`, [lost[0]])).rows;
    expect(state).toBe('finished');
    await new Promise((r) => setTimeout(r, FULL_HARVEST_MS + 200));
    const stuck = await getCampaign(s.stack, c.id);
    expect(stuck.counts).toMatchObject({ running: 1, done: 0, pending: 2 });

    // Any later tick (a wake-up for another reason) finds it.
    const report = await s.stack.workerApp!.get(CampaignScheduler).tick(c.id);
    expect(report.harvested).toBe(1);
    expect(report.started).toBe(2);
    const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
    expect(lost).toHaveLength(1);
    expect(done.outcomes).toEqual({ diagnosed: 3 });
  }, 120_000);
});
