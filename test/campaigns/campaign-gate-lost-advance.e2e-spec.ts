import { CampaignScheduler } from '@rdpfix/campaigns';
import { CampaignStack, changingScripts, createCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';
import { Json } from '../support/stack';

/**
 * A tick opens held gates in its transaction and advances their remediations after the commit.
 * If the worker dies in between, the opened remediations' own jobs sleep until their next look
 * at the gate (CAMPAIGN_GATE_WAKE_MS, 5 min here as by default), and each holds a ramp slot: the
 * canary's loss stalls the whole campaign. The fault is injected at that exact point (the
 * post-commit advance of the first two ticks that opened gates is dropped); a full harvest (made
 * by a tick, or by the sweeper's safety tick when nothing else wakes the campaign) finds a
 * remediation standing at an open gate longer than BATCH_SAFETY_WAKE_MS and advances it. What
 * reached the simulated servers is counted: every change exactly once.
 */
const SAFETY_MS = 2000;
const FULL_HARVEST_MS = 1000;
const SWEEP_MS = 1000;
const CONFIG = { BATCH_SAFETY_WAKE_MS: SAFETY_MS, CAMPAIGN_FULL_HARVEST_MS: FULL_HARVEST_MS, CAMPAIGN_SWEEP_INTERVAL_MS: SWEEP_MS };

type Releasing = { advanceReleased(ids: string[]): Promise<void> };

describe('a campaign whose opened gates were never advanced (the worker died after the commit)', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { seed: 31 } });
  });
  afterAll(async () => s.close());

  it('advances them after the safety delay, and each server gets each change once', async () => {
    const scheduler = s.stack.workerApp!.get(CampaignScheduler) as unknown as Releasing;
    const original = scheduler.advanceReleased.bind(scheduler);
    /** Per dropped remediation: when its gate opened (the opening's updated_at, PostgreSQL's clock). */
    const dropped = new Map<string, number>();
    let drops = 0;
    scheduler.advanceReleased = async (ids: string[]) => {
      if (drops < 2) {
        drops += 1;
        const rows = (await s.pg.query(`SELECT id, updated_at FROM remediations WHERE id = ANY($1::uuid[])`, [ids])).rows;
        for (const r of rows) dropped.set(r.id, new Date(r.updated_at).getTime());
        return; // the process "died" here: its commit stands, its advance never ran
      }
      return original(ids);
    };
    try {
      const ids = await simFleet(s.stack, 6, { preset: 'cause-b' });
      const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', allowReboot: true, maxConcurrency: 6, maxErrors: 0, targets: targetsOf(ids) });
      const done = await waitCampaign(s.stack, c.id, ['completed'], 90_000);
      expect(done.outcomes).toEqual({ fixed: 6 });
      expect(drops).toBe(2);
      expect(dropped.size).toBeGreaterThanOrEqual(2);

      const instanceOf = new Map<string, string>(
        (await s.pg.query(`SELECT id, instance_id FROM remediations WHERE id = ANY($1::uuid[])`, [[...dropped.keys()]])).rows.map((r: Json) => [r.id, r.instance_id]),
      );
      for (const id of ids) {
        // Each changing script reached the server once (the re-advance raced nothing twice).
        const names = (await changingScripts(s.stack, id)).map((c) => c.name);
        expect({ id, names }).toEqual({ id, names: [...new Set(names)] });
        expect(names.length).toBeGreaterThanOrEqual(1);
      }
      for (const [remId, openedAt] of dropped) {
        const first = Math.min(...(await changingScripts(s.stack, instanceOf.get(remId)!)).map((c) => c.receivedAt));
        // Not advanced by anything else before the safety delay (the fault held)...
        expect(first - openedAt).toBeGreaterThanOrEqual(SAFETY_MS);
        // ...and healed by the next full harvest after it, not by the job's look 5 minutes later.
        expect(first - openedAt).toBeLessThan(SAFETY_MS + FULL_HARVEST_MS + SWEEP_MS + 6_000);
      }
    } finally {
      scheduler.advanceReleased = original;
    }
  }, 120_000);
});
