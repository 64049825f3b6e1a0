import { CampaignStack, resetSimStats, simFleet, simStats, startCampaignStack } from './support/harness';
import { insertCampaignRemediations, waitFinished } from './support/batch-rows';

/**
 * The collector reads a batch first when most commands of its script have ended (learned from
 * the results it read before: completion-estimates.ts), not after a fixed poll interval. Here a
 * diagnose runs 1.5 s on the simulator and the poll interval is 150 ms: the first batch, with
 * nothing learned yet, is read again and again as it polls; the next one is read about once.
 */
describe('batched results are read when the command is expected to have ended', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({
      config: { BATCH_LINGER_MS: 2000, BATCH_MAX_LINGER_MS: 10_000, POLL_INTERVAL_MS: 150, POLL_MAX_INTERVAL_MS: 3000 },
      sim: { runMs: 1500 },
    });
  });
  afterAll(async () => s.close());

  const round = async () => {
    const ids = await simFleet(s.stack, 30, { preset: 'healthy' });
    await resetSimStats(s.stack);
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'diagnose', step: 'diagnose' });
    const done = await waitFinished(s.pg, rems);
    expect(done.map((r) => r.outcome)).toEqual(Array(30).fill('diagnosed'));
    const stats = await simStats(s.stack);
    return { sends: stats.calls.SendCommand as number, reads: stats.calls.ListCommandInvocations as number };
  };

  it('polls while nothing is known, then reads each batch about once', async () => {
    const first = await round();
    // 150, 225, 338, 506 ms … after the send: a 1.5 s command is looked at four times or more.
    expect(first.reads / first.sends).toBeGreaterThanOrEqual(3);
    const second = await round();
    expect(second.sends).toBeGreaterThanOrEqual(1);
    expect(second.reads / second.sends).toBeLessThanOrEqual(1.5);
  }, 120_000);
});
