import { randomBytes } from 'crypto';
import { FlowProducer, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { JOBS, QUEUES, remediationJobId, RemediationDispatcher } from '@rdpfix/queue';

/**
 * The reconciler's one-call-per-page liveness check must answer exactly as BullMQ's own getJob +
 * getState per job (hasLiveJob) for a job in every state, including the ones that must NOT count
 * as live: missing, completed, failed, and a hash left in no set at all. Real Redis and BullMQ.
 */
describe('liveJobs: one Redis call per page, same answer as getJob + getState', () => {
  const prefix = `rdpfix-test-${randomBytes(4).toString('hex')}`;
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const queue = new Queue(QUEUES.remediations, { connection, prefix });
  const dispatcher = new RemediationDispatcher(queue as never);
  const redis = new IORedis(connection);
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of closers) await c();
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  const add = (id: string, opts: Record<string, unknown> = {}) =>
    queue.add(JOBS.advanceRemediation, { remediationId: id }, { jobId: remediationJobId(id), ...opts });

  it('agrees with hasLiveJob in every state', async () => {
    const expected: Record<string, boolean> = {};
    // Taken by a worker and held (active), then completed and failed ones kept in their sets.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await add('active');
    await add('done');
    await add('broken');
    const worker = new Worker(
      QUEUES.remediations,
      async (job) => {
        const id = (job.data as { remediationId: string }).remediationId;
        if (id === 'broken') throw new Error('boom');
        if (id === 'active') await held;
      },
      { connection, prefix, concurrency: 3 },
    );
    closers.push(async () => (release(), worker.close()));
    const settled = async (id: string, state: string) => {
      for (let i = 0; i < 200 && (await queue.getJobState(remediationJobId(id))) !== state; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await queue.getJobState(remediationJobId(id))).toBe(state);
    };
    await settled('active', 'active');
    await settled('done', 'completed');
    await settled('broken', 'failed');
    await worker.pause(true).catch(() => undefined);
    Object.assign(expected, { active: true, done: false, broken: false });

    await add('delayed', { delay: 600_000 });
    await add('prioritized', { priority: 5, delay: 0 });
    await add('waiting');
    Object.assign(expected, { delayed: true, prioritized: true, waiting: true });
    // A parent waiting for its child (the child waits; neither is ever processed here).
    const flows = new FlowProducer({ connection, prefix });
    closers.push(() => flows.close());
    await flows.add({ name: JOBS.advanceRemediation, queueName: QUEUES.remediations, data: { remediationId: 'parent' }, opts: { jobId: remediationJobId('parent') }, children: [{ name: JOBS.advanceRemediation, queueName: QUEUES.remediations, data: { remediationId: 'child' }, opts: { jobId: remediationJobId('child') } }] });
    Object.assign(expected, { parent: true, child: true });
    // A job hash in no set (a partial loss): not live, whatever its hash says.
    await redis.hset(queue.toKey(remediationJobId('orphan')), 'name', JOBS.advanceRemediation, 'data', '{}', 'timestamp', String(Date.now()));
    Object.assign(expected, { orphan: false, missing: false });

    const ids = Object.keys(expected);
    const one = await dispatcher.liveJobs(ids);
    for (const id of ids) {
      const single = await dispatcher.hasLiveJob(id);
      expect({ id, live: one.has(id) }).toEqual({ id, live: expected[id] });
      expect({ id, live: single }).toEqual({ id, live: expected[id] });
    }
  }, 30_000);

  it('checks a page of 2,500 in three calls and finds exactly the live ones', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `bulk-${i}`);
    const live = ids.filter((_, i) => i % 3 === 0);
    await queue.addBulk(live.map((id) => ({ name: JOBS.advanceRemediation, data: { remediationId: id }, opts: { jobId: remediationJobId(id), delay: 600_000 } })));
    const client = (await queue.backend.client) as unknown as { eval: (...a: unknown[]) => Promise<unknown> };
    const evalOf = client.eval;
    let calls = 0;
    client.eval = (...a: unknown[]) => (calls++, evalOf.apply(client, a));
    const found = await dispatcher.liveJobs(ids).finally(() => (client.eval = evalOf));
    expect(calls).toBe(3);
    expect([...found].sort()).toEqual([...live].sort());
  }, 30_000);
});
