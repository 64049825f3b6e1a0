import { RebootStep } from '@rdpfix/remediation/engine/steps/reboot.step';
import type { RemediationEntity } from '@rdpfix/persistence';
import { CampaignStack, simFleet, startCampaignStack } from './support/harness';
import { insertCampaignRemediations, waitFinished } from './support/batch-rows';
import { ledger } from '../faults/support/send-faults';

/**
 * A campaign's restart watch sleeps until its instance's answer changes (the instance-information
 * batcher wakes it) instead of running its step every poll interval. Here the agents stay away
 * 2.5 s with a 100 ms poll interval: polling ran the reboot step 25 times or more per server; now
 * a handful (send, command done, gone, back). Each server still restarts exactly once and the fix
 * is verified.
 */
describe('campaign restart watches are woken by the change, not polled', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({
      config: { BATCH_LINGER_MS: 2000, BATCH_MAX_LINGER_MS: 10_000, BATCH_SAFETY_WAKE_MS: 20_000 },
      sim: { rebootDownMs: 2500 },
    });
  });
  afterAll(async () => s.close());

  it('runs the reboot step a few times per server, not once per poll interval; each server restarts once', async () => {
    const step = s.stack.workerApp!.get(RebootStep);
    const runs = new Map<string, number>();
    const original = step.run.bind(step);
    const spy = jest.spyOn(step, 'run').mockImplementation((r: RemediationEntity, now: Date) => {
      runs.set(r.id, (runs.get(r.id) ?? 0) + 1);
      return original(r, now);
    });
    try {
      const ids = await simFleet(s.stack, 10, { preset: 'cause-b' });
      const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'fix', allowReboot: true });
      const done = await waitFinished(s.pg, rems, 120_000);
      expect(done.map((r) => r.outcome)).toEqual(Array(10).fill('fixed'));
      for (const id of ids) expect((await ledger(s.stack, id)).byScript['restart-computer']?.executed).toBe(1);
      const perServer = rems.map((id) => runs.get(id) ?? 0);
      // 2.5 s away at a 100 ms interval: 25+ looks when polled. Woken: send, command done, gone,
      // back, and a spare for a wake that raced the step's own write.
      expect(Math.max(...perServer)).toBeLessThanOrEqual(8);
      expect(Math.min(...perServer)).toBeGreaterThanOrEqual(3);
    } finally {
      spy.mockRestore();
    }
  }, 150_000);
});
