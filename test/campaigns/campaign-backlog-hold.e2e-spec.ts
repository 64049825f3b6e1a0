import { randomUUID } from 'crypto';
import { Queue } from 'bullmq';
import { CampaignScheduler } from '@rdpfix/campaigns';
import { JOBS, QUEUES, RemediationDispatcher, remediationJobId } from '@rdpfix/queue';
import { BATCH_QUEUE, RemediationWorkerService } from '@rdpfix/remediation';
import { REDIS_URL } from '../support/stack';
import { CampaignStack, createCampaign, getCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';

/**
 * New targets start only while the workers keep up (fewer than CAMPAIGN_START_JOBS_MAX remediation
 * jobs wait for a lane) and while their region's send backlog (batched commands requested, not
 * yet sent, of running remediations) is under CAMPAIGN_START_BACKLOG_MAX: past it the budget is
 * saturated and more starts only lengthen every target's wait. The backlog here is three runs of
 * other remediations, held unsent by pausing the dispatcher's queue; the ticks are the
 * scheduler's own (one called directly, so "nothing started" is a tick that ran, not a quiet wait).
 */
const LIMIT = 3;
const JOBS_LIMIT = 2;

describe('campaign starts held by the send backlog', () => {
  let s: CampaignStack;
  let batches: Queue;

  beforeAll(async () => {
    s = await startCampaignStack({ config: { CAMPAIGN_START_BACKLOG_MAX: LIMIT, CAMPAIGN_START_JOBS_MAX: JOBS_LIMIT }, sim: { seed: 31 } });
    batches = new Queue(BATCH_QUEUE, { connection: { url: REDIS_URL }, prefix: s.stack.prefix });
  });
  afterAll(async () => {
    await batches?.close();
    await s?.close();
  });

  /** A running remediation of another instance with one batched command waiting to be sent. */
  const backlogRun = async (): Promise<string> => {
    const [{ id }] = (
      await s.pg.query(
        `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at)
         VALUES ($1, 'eu-west-1', 'diagnose', 'remove-role', 'api', 'running', 'diagnose', now() + interval '1 hour') RETURNING id`,
        [`i-0b${randomUUID().replace(/-/g, '').slice(0, 15)}`],
      )
    ).rows;
    await s.pg.query(
      `INSERT INTO command_runs (id, remediation_id, step, purpose, attempt, script_name, script_version, script_sha256, parameters, channel, instance_id, region, status, batch_key)
       SELECT $1, r.id, 'diagnose', 'diagnose', 1, 'diagnose', 1, repeat('0', 64), '{}'::jsonb, 'ssm', r.instance_id, r.region, 'requested', 'diagnose@1:backlog'
         FROM remediations r WHERE r.id = $2`,
      [randomUUID(), id],
    );
    return id;
  };

  it('a tick starts nothing while the backlog is at the limit; once those remediations end, the held campaign starts by itself and completes', async () => {
    const ids = await simFleet(s.stack, 4, { preset: 'healthy' });
    await batches.pause(); // nothing is sent: the backlog stays
    const others = [await backlogRun(), await backlogRun(), await backlogRun()];

    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 4, targets: targetsOf(ids) });
    const report = await s.stack.workerApp!.get(CampaignScheduler).tick(c.id);
    expect(report.started).toBe(0);
    const held = await getCampaign(s.stack, c.id);
    expect(held.counts).toMatchObject({ running: 0, pending: 4 });
    const [{ n }] = (await s.pg.query(`SELECT count(*)::int AS n FROM remediations WHERE instance_id = ANY($1)`, [ids])).rows;
    expect(n).toBe(0);

    // Their remediations end (cancelled): their runs stay `requested` but will never be sent, so
    // they no longer count. Nothing wakes the campaign but its own held re-tick.
    await s.pg.query(
      `UPDATE remediations SET state = 'finished', outcome = 'cancelled', step = 'done', finished_at = now() WHERE id = ANY($1::uuid[])`,
      [others],
    );
    await batches.resume();
    const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
    expect(done.outcomes).toEqual({ diagnosed: 4 });
    const [{ waiting }] = (await s.pg.query(`SELECT count(*)::int AS waiting FROM command_runs WHERE remediation_id = ANY($1::uuid[]) AND status = 'requested'`, [others])).rows;
    expect(waiting).toBe(3);
  }, 120_000);

  it('a tick starts nothing while remediation jobs wait for a lane at the limit; once the workers catch up, the campaign starts by itself and completes', async () => {
    const ids = await simFleet(s.stack, 3, { preset: 'healthy' });
    const worker = s.stack.workerApp!.get(RemediationWorkerService);
    await worker.pause(); // jobs stay waiting
    const queue = new Queue(QUEUES.remediations, { connection: { url: REDIS_URL }, prefix: s.stack.prefix });
    try {
      // Jobs of remediations that do not exist (such a job just ends). A fetch the paused worker
      // had already begun may still take one: add more than the limit.
      for (let i = 0; i < JOBS_LIMIT + 2; i++) {
        const id = randomUUID();
        await queue.add(JOBS.advanceRemediation, { remediationId: id }, { jobId: remediationJobId(id) });
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBeGreaterThanOrEqual(JOBS_LIMIT);

      const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 3, targets: targetsOf(ids) });
      const report = await s.stack.workerApp!.get(CampaignScheduler).tick(c.id);
      expect(report.started).toBe(0);
      expect((await getCampaign(s.stack, c.id)).counts).toMatchObject({ running: 0, pending: 3 });

      worker.resume();
      const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
      expect(done.outcomes).toEqual({ diagnosed: 3 });
    } finally {
      worker.resume();
      await queue.close();
    }
  }, 120_000);

  it('a tick that cannot read the job queue (Redis refuses) starts nothing: unknown is not room', async () => {
    const ids = await simFleet(s.stack, 2, { preset: 'healthy' });
    // The scheduler's own dispatcher (each module that imports the queue module has one).
    const dispatcher = (s.stack.workerApp!.get(CampaignScheduler) as unknown as { dispatcher: RemediationDispatcher }).dispatcher;
    const original = dispatcher.waitingJobs.bind(dispatcher);
    dispatcher.waitingJobs = () => Promise.reject(new Error('injected: Redis refused the count'));
    try {
      const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 2, targets: targetsOf(ids) });
      const report = await s.stack.workerApp!.get(CampaignScheduler).tick(c.id);
      expect(report.started).toBe(0);
      expect((await getCampaign(s.stack, c.id)).counts).toMatchObject({ running: 0, pending: 2 });
      const [{ n }] = (await s.pg.query(`SELECT count(*)::int AS n FROM remediations WHERE instance_id = ANY($1)`, [ids])).rows;
      expect(n).toBe(0);
      dispatcher.waitingJobs = original;
      const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
      expect(done.outcomes).toEqual({ diagnosed: 2 });
    } finally {
      dispatcher.waitingJobs = original;
    }
  }, 120_000);

  it('a tick starts nothing while remediations not yet taken up fill the room (no burst of starts whose jobs only sleep)', async () => {
    const ids = await simFleet(s.stack, 3, { preset: 'healthy' });
    // Two remediations of other instances, queued and not taken up (no job, no lane has them).
    // Touched "in the future", so the reconciler takes them for in flight and leaves them queued.
    const queued = [];
    for (let i = 0; i < JOBS_LIMIT; i++) {
      const { rows } = await s.pg.query(
        `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at, updated_at)
         VALUES ($1, 'eu-west-1', 'diagnose', 'remove-role', 'api', 'queued', 'precheck', now() + interval '1 hour', now() + interval '1 hour') RETURNING id`,
        [`i-0c${randomUUID().replace(/-/g, '').slice(0, 15)}`],
      );
      queued.push(rows[0].id as string);
    }
    try {
      const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 3, targets: targetsOf(ids) });
      const report = await s.stack.workerApp!.get(CampaignScheduler).tick(c.id);
      expect(report.started).toBe(0);
      expect((await getCampaign(s.stack, c.id)).counts).toMatchObject({ running: 0, pending: 3 });
      // They are taken up (here: they end); the held campaign starts by itself.
      await s.pg.query(`UPDATE remediations SET state = 'finished', outcome = 'cancelled', step = 'done', finished_at = now() WHERE id = ANY($1::uuid[])`, [queued]);
      const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
      expect(done.outcomes).toEqual({ diagnosed: 3 });
    } finally {
      await s.pg.query(`UPDATE remediations SET state = 'finished', outcome = 'cancelled', step = 'done', finished_at = now() WHERE id = ANY($1::uuid[]) AND state <> 'finished'`, [queued]);
    }
  }, 120_000);
});
