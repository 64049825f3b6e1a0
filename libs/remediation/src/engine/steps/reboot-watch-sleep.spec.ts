import { loadConfig } from '@rdpfix/config';
import type { RemediationEntity } from '@rdpfix/persistence';
import { RebootStep } from './reboot.step';
import type { CommandRunner } from '../command-runner';
import type { BatchedRuns } from '../batch/batched-runs';
import type { InstanceInfoBatcher } from '../batch/instance-info-batcher';

/** How long a campaign's restart watch sleeps between looks (woken earlier when its answer changes). */
describe('RebootStep: a sleeping restart watch', () => {
  const P = 2000;
  const config = loadConfig({}, { POLL_INTERVAL_MS: P, REBOOT_DELAY_S: 5 });
  const now = new Date('2026-12-04T10:00:00Z');

  function step(online: boolean, canSleep = true, refreshEvery = P) {
    const slept: number[] = [];
    const since: number[] = [];
    const info = {
      watch: async () => ({ instanceId: 'i-1', online, pingStatus: online ? 'Online' : 'ConnectionLost', lastPing: now, platformName: null, platformVersion: null }),
      wakeOnChange: (_r: RemediationEntity, _seen: boolean, ms: number, from: number) => (slept.push(ms), since.push(from), canSleep),
      refreshEvery: () => refreshEvery,
    } as unknown as InstanceInfoBatcher;
    const batched = { handles: () => true } as unknown as BatchedRuns;
    return { s: new RebootStep(config, {} as CommandRunner, info, batched), slept, since };
  }
  const row = (sd: Record<string, unknown>) => ({ id: 'r-1', instanceId: 'i-1', region: 'eu-west-1', allowReboot: true, stepData: sd }) as unknown as RemediationEntity;
  const doneAt = new Date(now.getTime() - 60_000).toISOString();

  it('sleeps at most 10 intervals while the agent is away, and never past the reboot deadline', async () => {
    const { s } = step(false);
    expect(await s.run(row({ rebootCommandDoneAt: doneAt, sawOffline: true, rebootDeadlineAt: new Date(now.getTime() + 600_000).toISOString() }), now)).toEqual({ kind: 'wait', ms: 10 * P });
    expect(await s.run(row({ rebootCommandDoneAt: doneAt, sawOffline: true, rebootDeadlineAt: new Date(now.getTime() + 3 * P).toISOString() }), now)).toEqual({ kind: 'wait', ms: 3 * P });
  });

  it('a long restart, whose answer the batcher refreshes less often, sleeps 3 of those refreshes; the watch ages from the restart command', async () => {
    const { s, since } = step(false, true, 15_000);
    expect(await s.run(row({ rebootCommandDoneAt: doneAt, sawOffline: true, rebootDeadlineAt: new Date(now.getTime() + 600_000).toISOString() }), now)).toEqual({ kind: 'wait', ms: 45_000 });
    expect(since).toEqual([Date.parse(doneAt)]);
    // Still never past the deadline.
    expect(await s.run(row({ rebootCommandDoneAt: doneAt, sawOffline: true, rebootDeadlineAt: new Date(now.getTime() + 30_000).toISOString() }), now)).toEqual({ kind: 'wait', ms: 30_000 });
  });

  it('a row without a reboot deadline (an older version wrote it) sleeps the bound, not NaN', async () => {
    const { s } = step(false);
    expect(await s.run(row({ rebootCommandDoneAt: doneAt, sawOffline: true }), now)).toEqual({ kind: 'wait', ms: 10 * P });
  });

  it('online but never seen away: sleeps only what is left of the restart delay', async () => {
    const { s } = step(true);
    const justDone = new Date(now.getTime() - 1000).toISOString();
    expect(await s.run(row({ rebootCommandDoneAt: justDone, sawOffline: false, rebootDeadlineAt: new Date(now.getTime() + 600_000).toISOString() }), now)).toEqual({ kind: 'wait', ms: 5000 + P - 1000 });
  });

  it('polls every interval when nothing can wake it', async () => {
    const { s } = step(false, false);
    expect(await s.run(row({ rebootCommandDoneAt: doneAt, sawOffline: true, rebootDeadlineAt: new Date(now.getTime() + 600_000).toISOString() }), now)).toEqual({ kind: 'wait', ms: P });
  });
});
