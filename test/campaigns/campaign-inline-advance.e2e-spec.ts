import { InlineAdvance } from '@rdpfix/remediation';
import { countJobRuns } from './support/job-runs';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { QUEUES, RemediationDispatcher, remediationJobId } from '@rdpfix/queue';
import { CampaignStack, resetSimStats, simFleet, simStats, startCampaignStack } from './support/harness';
import { insertCampaignRemediations, waitFinished } from './support/batch-rows';
import { duplicates, ledger } from '../faults/support/send-faults';

/**
 * When a batch's commands end, the collector advances their remediations in its own slot
 * (engine/batch/inline-advance.ts) instead of waking one job per remediation. Proven here:
 * the jobs are not run for those steps, finished remediations leave no job behind, and when
 * every job IS woken at the very moment the collector starts advancing (two engines on every
 * remediation at once), each server still gets each command once.
 */
const CONFIG = { BATCH_LINGER_MS: 3000, BATCH_MAX_LINGER_MS: 30000, BATCH_SAFETY_WAKE_MS: 120000 };

describe('batch results advance their remediations inline', () => {
  let s: CampaignStack;
  let jobRuns: Map<string, number>;

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { seed: 9 } });
    jobRuns = countJobRuns(s.stack);
  });
  afterAll(async () => s.close());

  it('a diagnosed batch finishes in the collector: each job ran once (its first step), and no job is left', async () => {
    const ids = await simFleet(s.stack, 30, { preset: 'healthy' });
    const inline = s.stack.workerApp!.get(InlineAdvance);
    const advanced: string[] = [];
    const original = inline.advance.bind(inline);
    inline.advance = async (remIds: string[]) => {
      advanced.push(...remIds);
      return original(remIds);
    };
    try {
      const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'diagnose' });
      const done = await waitFinished(s.pg, rems);
      expect(done.map((r) => r.outcome)).toEqual(Array(30).fill('diagnosed'));
      expect(new Set(advanced)).toEqual(new Set(rems));
      // The first run requested the diagnose; the collector did the rest (no second run per remediation).
      expect(rems.map((id) => jobRuns.get(id) ?? 0)).toEqual(Array(30).fill(1));
      // A job whose first run was still active when the collector finished its remediation is
      // removed once that run ends, within RETIRE_WAIT_MS (5 s; remediation-dispatcher.ts). The
      // rows are finished before that: look for 6 s, not at once (an instant look failed in CI).
      const queue = s.stack.workerApp!.get<Queue>(getQueueToken(QUEUES.remediations));
      const jobsLeft = async () => (await Promise.all(rems.map((id) => queue.getJob(remediationJobId(id))))).filter(Boolean);
      const until = Date.now() + 6000;
      let left = await jobsLeft();
      while (left.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        left = await jobsLeft();
      }
      expect(left).toEqual([]);
    } finally {
      inline.advance = original;
    }
  }, 180_000);

  it('every job woken at the moment the collector advances (two engines per remediation): each server gets each command once and restarts once', async () => {
    const ids = await simFleet(s.stack, 12, { preset: 'cause-b' });
    const inline = s.stack.workerApp!.get(InlineAdvance);
    const dispatcher = s.stack.workerApp!.get(RemediationDispatcher);
    const original = inline.advance.bind(inline);
    let raced = 0;
    inline.advance = async (remIds: string[]) => {
      // The fault: the remediations' own jobs run the same step at the same time.
      await Promise.all(remIds.map((id) => dispatcher.wake(id, 2000)));
      raced += remIds.length;
      return original(remIds);
    };
    try {
      await resetSimStats(s.stack);
      const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'fix', allowReboot: true });
      const done = await waitFinished(s.pg, rems, 200_000);
      expect(done.map((r) => `${r.outcome}${r.reason ? ` (${r.reason})` : ''}`)).toEqual(Array(12).fill('fixed'));
      expect(raced).toBeGreaterThanOrEqual(12 * 3); // diagnose, the change, the restart and the verify ended in batches
      const stats = await simStats(s.stack);
      expect(stats.reboots).toBe(12);
      for (const id of ids) {
        const l = await ledger(s.stack, id);
        expect(duplicates(l)).toEqual([]);
        for (const [script, n] of Object.entries(l.byScript)) expect({ script, executed: n.executed }).toEqual({ script, executed: 1 });
      }
    } finally {
      inline.advance = original;
    }
  }, 300_000);
});
