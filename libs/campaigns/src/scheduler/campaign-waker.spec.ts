import type { Queue } from 'bullmq';
import type { AppConfig } from '@rdpfix/config';
import { CampaignTickJob, CampaignWaker } from './campaign-waker';

/**
 * Wake-ups inside one window are one job (its id names the window). This process also skips the
 * add's round trip when it already queued that window's job and the job is still ahead; a failed
 * add is never remembered, so the next wake-up tries again.
 */
describe('CampaignWaker', () => {
  const WINDOW = 200;
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  function waker(fail = false) {
    const add = jest.fn(async (_name: string, _data: CampaignTickJob, _opts: { jobId: string; delay: number }) => {
      if (fail) throw new Error('redis down');
    });
    return { w: new CampaignWaker({ CAMPAIGN_WAKE_COALESCE_MS: WINDOW } as AppConfig, { add } as unknown as Queue<CampaignTickJob>), add };
  }

  it('wake-ups in one window: one add, for a job at the window end', async () => {
    const { w, add } = waker();
    expect(await w.wake('c1')).toBe(true);
    now += 50;
    expect(await w.wake('c1')).toBe(true);
    expect(add).toHaveBeenCalledTimes(1);
    const opts = add.mock.calls[0][2];
    expect(opts.jobId).toBe(`tick-c1-${Math.ceil((1_000_000 + 1) / WINDOW)}`);
    expect(1_000_000 + opts.delay).toBe(Math.ceil((1_000_000 + 1) / WINDOW) * WINDOW);
  });

  it('another campaign, or a later window, is added', async () => {
    const { w, add } = waker();
    await w.wake('c1');
    await w.wake('c2');
    await w.wake('c1', new Date(now + 5 * WINDOW));
    expect(add.mock.calls.map((c) => c[2].jobId)).toEqual([
      `tick-c1-${Math.ceil((now + 1) / WINDOW)}`,
      `tick-c2-${Math.ceil((now + 1) / WINDOW)}`,
      `tick-c1-${Math.ceil((now + 5 * WINDOW + 1) / WINDOW)}`,
    ]);
  });

  it('within 50 ms of the queued job running, the add is made again (that job may already have run)', async () => {
    const { w, add } = waker();
    await w.wake('c1');
    const slotEnd = Math.ceil((now + 1) / WINDOW) * WINDOW;
    now = slotEnd - 40;
    await w.wake('c1');
    expect(add).toHaveBeenCalledTimes(2);
    expect(add.mock.calls[1][2].jobId).toBe(add.mock.calls[0][2].jobId); // the same window: BullMQ's id makes it a no-op if still queued
  });

  it('a failed add is not remembered: the next wake-up adds again', async () => {
    const failing = waker(true);
    expect(await failing.w.wake('c1')).toBe(false);
    expect(await failing.w.wake('c1')).toBe(false);
    expect(failing.add).toHaveBeenCalledTimes(2);
  });
});
