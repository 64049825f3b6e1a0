import type { DataSource } from 'typeorm';
import type { AppConfig } from '@rdpfix/config';
import type { CommandChannel } from '@rdpfix/channel';
import type { RemediationDispatcher } from '@rdpfix/queue';
import { BatchWorkerService } from './batch-worker.service';
import type { InstanceInfoBatcher } from './instance-info-batcher';

/**
 * Dispatch pokes made in one turn of the event loop share one poke (a flag and a job add), and a
 * poke that has begun is never joined: every joiner's request was committed before its poke
 * starts, so the dispatcher it wakes is sure to see it.
 */
describe('BatchWorkerService dispatch pokes', () => {
  const turn = () => new Promise((r) => setImmediate(r));

  function service() {
    const svc = new BatchWorkerService({ QUEUE_PREFIX: 'test' } as AppConfig, {} as DataSource, { maxInstancesPerSend: 50 } as CommandChannel, {} as RemediationDispatcher, { useWake: () => undefined } as unknown as InstanceInfoBatcher);
    const log: string[] = [];
    const adds: { resolve: () => void; region: string; delay: number }[] = [];
    const redis = { set: jest.fn(async (key: string) => void log.push(`set ${key}`)) };
    const queue = {
      add: jest.fn(
        (_name: string, job: { region: string }, opts: { delay: number }) =>
          new Promise<void>((resolve) => {
            log.push(`add ${job.region} +${opts.delay}`);
            adds.push({ resolve, region: job.region, delay: opts.delay });
          }),
      ),
    };
    Object.assign(svc as unknown as Record<string, unknown>, { redis, queue });
    return { svc, log, adds, redis, queue };
  }

  it('fifty pokes for a region in one turn: one flag, one add; each resolves only after that add', async () => {
    const { svc, log, adds, queue } = service();
    let resolved = 0;
    const pokes = Array.from({ length: 50 }, () => svc.dispatch('eu-west-1').then(() => resolved++));
    await turn();
    await turn();
    expect(log).toEqual(['set test:command-batches:dirty:eu-west-1', 'add eu-west-1 +0']);
    expect(resolved).toBe(0); // the add has not answered yet
    adds[0].resolve();
    await Promise.all(pokes);
    expect(resolved).toBe(50);
    expect(queue.add).toHaveBeenCalledTimes(1);
  });

  it('each region gets its own poke', async () => {
    const { svc, adds } = service();
    const pokes = [svc.dispatch('eu-west-1'), svc.dispatch('us-east-1'), svc.dispatch('eu-west-1')];
    await turn();
    await turn();
    expect(adds.map((a) => a.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    adds.forEach((a) => a.resolve());
    await Promise.all(pokes);
  });

  it('a poke made after the shared one began makes a new one (it may not join a poke already under way)', async () => {
    const { svc, adds, redis } = service();
    const first = svc.dispatch('eu-west-1');
    await turn(); // the first poke has begun: its flag is being set
    expect(redis.set).toHaveBeenCalledTimes(1);
    const second = svc.dispatch('eu-west-1');
    await turn();
    await turn();
    expect(redis.set).toHaveBeenCalledTimes(2);
    expect(adds).toHaveLength(2);
    adds.forEach((a) => a.resolve());
    await Promise.all([first, second]);
  });

  it('a delayed poke is sent on its own, never coalesced', async () => {
    const { svc, adds } = service();
    const p = [svc.dispatch('eu-west-1', 500), svc.dispatch('eu-west-1', 500)];
    await turn();
    await turn();
    expect(adds.map((a) => a.delay)).toEqual([500, 500]);
    adds.forEach((a) => a.resolve());
    await Promise.all(p);
  });
});
