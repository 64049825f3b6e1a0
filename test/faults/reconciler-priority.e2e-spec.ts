import { Queue } from 'bullmq';
import { Client } from 'pg';
import { CAMPAIGN_JOB_PRIORITY, QUEUES, redisOptionsFromUrl, remediationJobId } from '@rdpfix/queue';
import { ReconcilerService, RemediationWorkerService } from '@rdpfix/remediation';
import { BatchWorkerService } from '../../libs/remediation/src/engine/batch/batch-worker.service';
import { Stack } from '../support/stack';

/**
 * Issue 10: campaign jobs carry a BullMQ priority so a single fix never queues behind a campaign.
 * A campaign remediation re-enqueued by the reconciler after Redis lost its keys must get that
 * priority back, and so must one re-added by a batch wake; a single fix's job must stay a plain
 * (first-served) job.
 */
describe('reconciler keeps the campaign job priority', () => {
  let stack: Stack;
  let pg: Client;
  let queue: Queue;
  beforeAll(async () => {
    // The timer never fires during the test: the pass is run by hand.
    stack = await Stack.start({ worker: 'none', config: { RECONCILE_INTERVAL_MS: 3_600_000, LOG_LEVEL: 'silent' } });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
    queue = new Queue(QUEUES.remediations, { connection: redisOptionsFromUrl(stack.config.REDIS_URL, 'producer'), prefix: stack.prefix });
  });
  afterAll(async () => {
    await queue?.close();
    await pg?.end();
    await stack?.close();
  });

  it('a lost campaign job comes back prioritized, a lost ticket job comes back plain', async () => {
    const { rows } = await pg.query(
      `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at, updated_at, created_at)
       VALUES ('i-0c00000000000000a', 'eu-west-1', 'fix', 'remove-role', 'campaign', 'running', 'precheck', now() + interval '1 hour', now() - interval '2 hours', now() - interval '2 hours'),
              ('i-0c00000000000000b', 'eu-west-1', 'fix', 'remove-role', 'ticket', 'running', 'precheck', now() + interval '1 hour', now() - interval '2 hours', now() - interval '2 hours')
       RETURNING id, source`,
    );
    const bySource = Object.fromEntries(rows.map((r: { id: string; source: string }) => [r.source, r.id]));
    await stack.flushQueueKeys();

    await stack.startInProcessWorker();
    const app = stack.workerApp!;
    // Nothing is processed while the pass runs, so each job is seen as the reconciler left it.
    await app.get(RemediationWorkerService).pause();
    expect(await app.get(ReconcilerService).tick()).toBe(2);

    const campaignJob = await queue.getJob(remediationJobId(bySource.campaign));
    const ticketJob = await queue.getJob(remediationJobId(bySource.ticket));
    expect(campaignJob?.opts.priority).toBe(CAMPAIGN_JOB_PRIORITY);
    expect(await campaignJob!.getState()).toBe('prioritized');
    expect(ticketJob?.opts.priority ?? 0).toBe(0);
    expect(await ticketJob!.getState()).toBe('waiting');
  });

  it('a batch wake that finds the job lost re-adds it with the campaign priority', async () => {
    const { rows } = await pg.query(
      `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at)
       VALUES ('i-0c00000000000000c', 'eu-west-1', 'fix', 'remove-role', 'campaign', 'running', 'diagnose', now() + interval '1 hour') RETURNING id`,
    );
    const id = rows[0].id as string;
    expect(await queue.getJob(remediationJobId(id))).toBeUndefined();
    await stack.workerApp!.get(BatchWorkerService).wake(id);
    const job = await queue.getJob(remediationJobId(id));
    expect(job?.opts.priority).toBe(CAMPAIGN_JOB_PRIORITY);
    expect(await job!.getState()).toBe('prioritized');
  });
});
