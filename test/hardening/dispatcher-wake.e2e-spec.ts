import { randomBytes } from 'crypto';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { AdvanceRemediationJob, JOBS, QUEUES, RemediationDispatcher, redisOptionsFromUrl, remediationJobId } from '@rdpfix/queue';
import { REDIS_URL } from '../support/stack';

/**
 * RemediationDispatcher.wake (issue 8 §9, second item): an approve or a cancel must reach the
 * remediation's job at its next step, whatever the job is doing: delayed (promoted), active
 * (re-added once it stops), or gone (added). Real Redis and BullMQ.
 */
describe('RemediationDispatcher.wake', () => {
  const prefix = `rdpfix-t-wake-${process.pid}-${randomBytes(3).toString('hex')}`;
  let queue: Queue<AdvanceRemediationJob>;
  let worker: Worker<AdvanceRemediationJob> | undefined;
  let dispatcher: RemediationDispatcher;
  const runs: { id: string; at: number }[] = [];
  let gate: { open: () => void; wait: Promise<void> } | null = null;

  beforeAll(() => {
    queue = new Queue(QUEUES.remediations, { connection: redisOptionsFromUrl(REDIS_URL, 'worker'), prefix });
    dispatcher = new RemediationDispatcher(queue);
    // The worker models the engine: each run records itself; a gated run holds its slot (active).
    worker = new Worker<AdvanceRemediationJob>(
      QUEUES.remediations,
      async (job: Job<AdvanceRemediationJob>) => {
        runs.push({ id: job.data.remediationId, at: Date.now() });
        if (gate) await gate.wait;
      },
      { connection: redisOptionsFromUrl(REDIS_URL, 'worker'), prefix, concurrency: 4 },
    );
  });
  afterAll(async () => {
    await worker?.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  const runsOf = (id: string) => runs.filter((r) => r.id === id).length;
  const waitRuns = async (id: string, n: number, ms = 10_000) => {
    const end = Date.now() + ms;
    while (runsOf(id) < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return runsOf(id);
  };

  it('promotes a delayed job so it runs now, not after its delay', async () => {
    const id = `delayed-${randomBytes(4).toString('hex')}`;
    await queue.add(JOBS.advanceRemediation, { remediationId: id }, { jobId: remediationJobId(id), delay: 60_000 });
    expect(await (await queue.getJob(remediationJobId(id)))!.getState()).toBe('delayed');
    const t = Date.now();
    expect(await dispatcher.wake(id)).toBe(true);
    expect(await waitRuns(id, 1)).toBe(1);
    expect(runs.find((r) => r.id === id)!.at - t).toBeLessThan(5_000);
  });

  it('adds a job when there is none', async () => {
    const id = `missing-${randomBytes(4).toString('hex')}`;
    expect(await dispatcher.wake(id)).toBe(true);
    expect(await waitRuns(id, 1)).toBe(1);
  });

  it('re-runs a job that was active when woken, once it stops (the approval that came in while it was parking)', async () => {
    const id = `active-${randomBytes(4).toString('hex')}`;
    let open!: () => void;
    gate = { open: () => open(), wait: new Promise<void>((r) => (open = r)) };
    await dispatcher.dispatch(id);
    expect(await waitRuns(id, 1)).toBe(1);
    expect(await (await queue.getJob(remediationJobId(id)))!.getState()).toBe('active');
    // A plain dispatch is swallowed by the live job id: this is what left approvals to the reconciler.
    await dispatcher.dispatch(id);
    expect(await dispatcher.wake(id)).toBe(true);
    const g = gate;
    gate = null;
    g.open();
    expect(await waitRuns(id, 2)).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(runsOf(id)).toBe(2); // once more, not once per call
  });

  it('leaves a waiting job alone (it runs next anyway)', async () => {
    await worker!.pause();
    try {
      const id = `waiting-${randomBytes(4).toString('hex')}`;
      await dispatcher.dispatch(id);
      expect(await dispatcher.wake(id)).toBe(true);
      expect(await queue.getJobCountByTypes('waiting')).toBeGreaterThanOrEqual(1);
      const job = await queue.getJob(remediationJobId(id));
      expect(await job!.getState()).toBe('waiting');
    } finally {
      worker!.resume();
    }
  });
});
