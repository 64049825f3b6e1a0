import { CampaignListener } from '@rdpfix/campaigns';
import { CampaignStack, changingScripts, createCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign, waitUntil } from './support/harness';

/**
 * A remediation held at its change gate is reported by the listener, which marks its target
 * `held`; only held targets get their gates opened. If that statement fails (an error, a dead
 * connection), nothing marks the target again, and its remediation, whose gate stays shut,
 * would look at it every few minutes until its deadline ended it `not_started`. A full harvest
 * (a tick's, or the sweeper's) finds targets whose remediation holds while the target is still
 * `closed`, and marks them. The fault is injected at the mark statement itself.
 */
const CONFIG = { CAMPAIGN_FULL_HARVEST_MS: 1000, CAMPAIGN_SWEEP_INTERVAL_MS: 1000 };

type Running = { run(sql: string, ids: string[]): Promise<void> };

describe('a campaign whose held marks were lost', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { seed: 37 } });
  });
  afterAll(async () => s.close());

  it('marks the held targets on a full harvest, opens their gates, and fixes each server once', async () => {
    const listener = s.stack.workerApp!.get(CampaignListener) as unknown as Running;
    const original = listener.run.bind(listener);
    const lost: string[] = [];
    listener.run = async (sql: string, ids: string[]) => {
      if (lost.length === 0 && sql.includes(`change_gate = 'held'`) && !sql.includes('changes_ok')) {
        lost.push(...ids);
        throw new Error('injected: the held mark statement failed');
      }
      return original(sql, ids);
    };
    try {
      const ids = await simFleet(s.stack, 4, { preset: 'cause-b' });
      const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', allowReboot: true, maxConcurrency: 4, maxErrors: 0, targets: targetsOf(ids) });
      await waitUntil('a held mark to be lost', async () => lost.length > 0, 60_000);
      const done = await waitCampaign(s.stack, c.id, ['completed'], 90_000);
      expect(done.outcomes).toEqual({ fixed: 4 });
      // The lost ones were held at their gate, unmarked, and still fixed (not ended by their deadline).
      const { rows } = await s.pg.query(`SELECT id, outcome FROM remediations WHERE id = ANY($1::uuid[])`, [lost]);
      expect(rows.length).toBe(lost.length);
      for (const r of rows) expect(r.outcome).toBe('fixed');
      for (const id of ids) {
        const names = (await changingScripts(s.stack, id)).map((c) => c.name);
        expect(names.length).toBeGreaterThanOrEqual(1);
        expect({ id, names }).toEqual({ id, names: [...new Set(names)] });
      }
    } finally {
      listener.run = original;
    }
  }, 120_000);
});
