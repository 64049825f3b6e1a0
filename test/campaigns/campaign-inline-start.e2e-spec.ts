import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { AppConfig } from '@rdpfix/config';
import { InlineAdvance } from '@rdpfix/remediation';
import { countJobRuns } from './support/job-runs';
import { QUEUES, RemediationDispatcher, remediationJobId } from '@rdpfix/queue';
import { CampaignStack, createCampaign, resetSimStats, simFleet, simStats, startCampaignStack, targetsOf, waitCampaign } from './support/harness';
import { duplicates, ledger } from '../faults/support/send-faults';

/**
 * A campaign tick starts the remediations it creates inline (campaign-scheduler.ts,
 * startRemediations): each job is queued only as a safety net, due after BATCH_SAFETY_WAKE_MS.
 * Proven here: no job runs at all when nothing fails; when the inline start is lost (the fault:
 * it throws before any step, as a crash would), the safety jobs finish every target; and when
 * every safety job fires at the very moment the inline start begins (two engines per
 * remediation), each server still gets each command once and restarts once.
 */
// A safety delay long enough that a loaded machine's inline start always beats it; the lost-start
// test shortens it (the worker reads its config object at each use).
const CONFIG = { BATCH_LINGER_MS: 300, BATCH_MAX_LINGER_MS: 3000, BATCH_SAFETY_WAKE_MS: 20000 };

describe('a campaign starts its remediations inline', () => {
  let s: CampaignStack;
  let jobRuns: Map<string, number>;
  let inline: InlineAdvance;
  let original: InlineAdvance['start'];

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { seed: 13 } });
    jobRuns = countJobRuns(s.stack);
    inline = s.stack.workerApp!.get(InlineAdvance);
    original = inline.start.bind(inline);
  });
  afterEach(() => {
    inline.start = original;
    config().BATCH_SAFETY_WAKE_MS = CONFIG.BATCH_SAFETY_WAKE_MS;
  });
  const config = () => s.stack.workerApp!.get(AppConfig);
  afterAll(async () => s.close());

  const remediationsOf = async (campaignId: string) =>
    (await s.pg.query(`SELECT remediation_id FROM campaign_targets WHERE campaign_id = $1 AND remediation_id IS NOT NULL`, [campaignId])).rows.map((r) => r.remediation_id as string);

  it('no remediation job runs: the tick starts them, the collector advances them, and no job is left', async () => {
    const ids = await simFleet(s.stack, 40, { preset: 'healthy' });
    const started: string[] = [];
    inline.start = async (remIds: string[]) => {
      started.push(...remIds);
      return original(remIds);
    };
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 40, targets: targetsOf(ids) });
    const done = await waitCampaign(s.stack, c.id, ['completed'], 120_000);
    expect(done.outcomes).toEqual({ diagnosed: 40 });
    const rems = await remediationsOf(c.id);
    expect(new Set(started)).toEqual(new Set(rems));
    expect(rems.map((id) => jobRuns.get(id) ?? 0)).toEqual(Array(40).fill(0));
    const queue = s.stack.workerApp!.get<Queue>(getQueueToken(QUEUES.remediations));
    expect((await Promise.all(rems.map((id) => queue.getJob(remediationJobId(id))))).filter(Boolean)).toEqual([]);
  }, 180_000);

  it('the inline start is lost (it throws before any step): the safety jobs finish every target', async () => {
    config().BATCH_SAFETY_WAKE_MS = 2000;
    const ids = await simFleet(s.stack, 20, { preset: 'cause-a' });
    let lost = 0;
    inline.start = async (remIds: string[]) => {
      lost += remIds.length;
      throw new Error('injected: the process died before the first step');
    };
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 20, targets: targetsOf(ids) });
    const done = await waitCampaign(s.stack, c.id, ['completed'], 120_000);
    expect(lost).toBe(20);
    expect(done.outcomes).toEqual({ diagnosed: 20 });
    const rems = await remediationsOf(c.id);
    // Each was taken up by its own job (the safety net), at least once.
    expect(rems.every((id) => (jobRuns.get(id) ?? 0) >= 1)).toBe(true);
  }, 180_000);

  it('every safety job fires as the inline start begins (two engines per remediation): each server gets each command once and restarts once', async () => {
    const ids = await simFleet(s.stack, 10, { preset: 'cause-b' });
    const dispatcher = s.stack.workerApp!.get(RemediationDispatcher);
    let raced = 0;
    inline.start = async (remIds: string[]) => {
      await Promise.all(remIds.map((id) => dispatcher.wake(id, 2000)));
      raced += remIds.length;
      return original(remIds);
    };
    await resetSimStats(s.stack);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', allowReboot: true, maxConcurrency: 10, targets: targetsOf(ids) });
    const done = await waitCampaign(s.stack, c.id, ['completed'], 200_000);
    expect(done.outcomes).toEqual({ fixed: 10 });
    expect(raced).toBe(10);
    expect((await simStats(s.stack)).reboots).toBe(10);
    for (const id of ids) expect(duplicates(await ledger(s.stack, id))).toEqual([]);
  }, 240_000);
});
