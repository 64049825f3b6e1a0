import { randomBytes } from 'crypto';
import { DelayedError, Queue, Worker } from 'bullmq';
import { QUEUES, remediationJobId, RemediationDispatcher } from '@rdpfix/queue';

/**
 * A remediation finished by its batch's collector while its own job was still running (the job
 * then puts itself back in the delayed set for its safety wake): the job cannot be removed while
 * it runs, so it is removed once it is delayed. A parked remediation's running job is left alone
 * (an approval may be waking it). Real Redis and BullMQ; the job's run is held by the test.
 */
describe('retire: a job running at the moment its remediation ends', () => {
  const prefix = `rdpfix-test-${randomBytes(4).toString('hex')}`;
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const queue = new Queue(QUEUES.remediations, { connection, prefix });
  const dispatcher = new RemediationDispatcher(queue as never);
  const gates = new Map<string, () => void>();
  const worker = new Worker(
    QUEUES.remediations,
    async (job, token) => {
      const id = (job.data as { remediationId: string }).remediationId;
      await new Promise<void>((r) => gates.set(id, r));
      // As the remediation worker does after requesting a batched command: sleep until the safety wake.
      await job.moveToDelayed(Date.now() + 120_000, token);
      throw new DelayedError();
    },
    { connection, prefix, concurrency: 4 },
  );
  afterAll(async () => {
    for (const open of gates.values()) open();
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });

  const state = (id: string) => queue.getJobState(remediationJobId(id));
  async function until(what: () => Promise<boolean>, ms = 5000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      if (await what()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out');
  }

  it('a finished remediation: removed once its run has delayed it; a parked one: left delayed', async () => {
    for (const id of ['finished', 'parked']) await dispatcher.dispatch(id);
    await until(async () => gates.has('finished') && gates.has('parked'));
    expect(await state('finished')).toBe('active');

    await dispatcher.retire('finished', { finished: true });
    await dispatcher.retire('parked', { finished: false });
    expect(await state('finished')).toBe('active'); // locked by its run: not removable yet

    gates.get('finished')!();
    gates.get('parked')!();
    await until(async () => (await state('finished')) === 'unknown');
    await until(async () => (await state('parked')) === 'delayed');
    // Still there a while later: an approval's wake would find it.
    await new Promise((r) => setTimeout(r, 300));
    expect(await state('parked')).toBe('delayed');
  }, 20_000);
});
