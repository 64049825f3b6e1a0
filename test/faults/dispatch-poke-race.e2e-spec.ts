import { randomBytes } from 'crypto';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@rdpfix/config';
import type { CommandChannel } from '@rdpfix/channel';
import type { RemediationDispatcher } from '@rdpfix/queue';
import { BatchWorkerService } from '@rdpfix/remediation/engine/batch/batch-worker.service';
import type { InstanceInfoBatcher } from '@rdpfix/remediation/engine/batch/instance-info-batcher';

/**
 * The fault: a request's dispatch poke lands after the region's dispatch job looked at the flag
 * for the last time, but before BullMQ removed that job. The poke sets the flag, and its add is a
 * no-op (the job id is still active). Without the completion hook nothing dispatches again until
 * the request's safety wake (30 s by default): the stall seen at the end of bench runs. Real
 * Redis and BullMQ; the sender is counted, not run (no database needed).
 */
describe('dispatch poke between the last flag check and the job removal', () => {
  const prefix = `rdpfix-test-${randomBytes(4).toString('hex')}`;
  const config = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    BATCH_WORKER_CONCURRENCY: 4,
    WORKER_LOCK_DURATION_MS: 30_000,
    WORKER_STALLED_INTERVAL_MS: 30_000,
  } as AppConfig;
  let svc: BatchWorkerService;
  afterAll(async () => svc?.onApplicationShutdown());

  it('is not lost: the region is dispatched again at once', async () => {
    svc = new BatchWorkerService(config, {} as DataSource, { maxInstancesPerSend: 50 } as CommandChannel, {} as RemediationDispatcher, { useWake: () => undefined } as unknown as InstanceInfoBatcher);
    const runs: number[] = [];
    (svc as unknown as { sender: unknown }).sender = { dispatch: async () => (runs.push(Date.now()), { againInMs: null, sends: 0 }) };
    svc.onModuleInit();
    const redis = (svc as unknown as { redis: { del: (k: string) => Promise<number> } }).redis;
    const del = redis.del.bind(redis);
    let dels = 0;
    let injected = false;
    redis.del = async (k: string) => {
      const n = await del(k);
      // The dispatch job's second del is its last look at the flag: poke right after it.
      if (k.endsWith(':dirty:eu-west-1') && ++dels === 2 && !injected) {
        injected = true;
        await svc.dispatch('eu-west-1');
      }
      return n;
    };
    await svc.dispatch('eu-west-1');
    const end = Date.now() + 10_000;
    while (runs.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(injected).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[1] - runs[0]).toBeLessThan(5_000);
  }, 30_000);
});
