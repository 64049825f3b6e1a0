import type { Job } from 'bullmq';
import type { AppConfig } from '@rdpfix/config';
import type { CampaignScheduler } from './campaign-scheduler';
import { CampaignTickWorker } from './campaign-tick-worker';
import type { CampaignTickJob } from './campaign-waker';

/**
 * One tick per campaign at a time in a process: wake-ups during a tick complete at once and make
 * it run exactly once more; other campaigns tick alongside; a failed tick fails its job.
 */
describe('CampaignTickWorker', () => {
  const job = (campaignId: string) => ({ data: { campaignId } }) as Job<CampaignTickJob>;

  function worker(tick: (id: string) => Promise<void>) {
    const scheduler = { tick: jest.fn(tick) } as unknown as CampaignScheduler & { tick: jest.Mock };
    return { w: new CampaignTickWorker({} as AppConfig, scheduler), tick: scheduler.tick };
  }

  /** A tick that ends when the test says so, recording how many ran at once per campaign. */
  function gatedTicks() {
    const gates: (() => void)[] = [];
    const running = new Map<string, number>();
    let maxTogether = 0;
    const tick = async (id: string) => {
      running.set(id, (running.get(id) ?? 0) + 1);
      maxTogether = Math.max(maxTogether, running.get(id)!);
      await new Promise<void>((r) => gates.push(r));
      running.set(id, running.get(id)! - 1);
    };
    const settle = () => new Promise((r) => setImmediate(r));
    return { tick, gates, settle, maxTogether: () => maxTogether };
  }

  it('wake-ups during a tick return at once and add exactly one more tick, never two at a time', async () => {
    const g = gatedTicks();
    const { w, tick } = worker(g.tick);
    const first = w.process(job('c1'));
    await g.settle();
    expect(tick).toHaveBeenCalledTimes(1);
    // Five wake-ups while the first tick runs: each job completes without ticking.
    await Promise.all(Array.from({ length: 5 }, () => w.process(job('c1'))));
    expect(tick).toHaveBeenCalledTimes(1);
    g.gates.shift()!();
    await g.settle();
    expect(tick).toHaveBeenCalledTimes(2); // the one more, for every wake-up that came meanwhile
    g.gates.shift()!();
    await first;
    expect(tick).toHaveBeenCalledTimes(2);
    expect(g.maxTogether()).toBe(1);
    // Idle again: the next wake-up ticks by itself.
    const next = w.process(job('c1'));
    await g.settle();
    g.gates.shift()!();
    await next;
    expect(tick).toHaveBeenCalledTimes(3);
  });

  it('ticks of different campaigns run side by side', async () => {
    const g = gatedTicks();
    const { w, tick } = worker(g.tick);
    const a = w.process(job('c1'));
    const b = w.process(job('c2'));
    await g.settle();
    expect(tick.mock.calls.map((c) => c[0])).toEqual(['c1', 'c2']);
    g.gates.splice(0).forEach((open) => open());
    await Promise.all([a, b]);
  });

  it('a failed tick fails its job, and the campaign can tick again afterwards', async () => {
    let fail = true;
    const { w, tick } = worker(async () => {
      if (fail) throw new Error('database down');
    });
    await expect(w.process(job('c1'))).rejects.toThrow('database down');
    fail = false;
    await w.process(job('c1'));
    expect(tick).toHaveBeenCalledTimes(2);
  });
});
