import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { ReconcilerService, RemediationWorkerService } from '@rdpfix/remediation';
import { Json, Stack } from '../support/stack';
import { until } from './support/seeded';

/**
 * Issue 8, defect 6: the reconciler looked at `ORDER BY updated_at LIMIT 500` and saw the same
 * rows forever. With 10,000 active remediations and Redis flushed, ONE pass must re-enqueue every
 * one that lost its job (keyset pagination through all active rows); it must never write
 * `requeued` onto a finished remediation; and the few real ones among them then finish.
 * The fake rows use `i-z…` ids, which no simulated (hexadecimal) instance id can match.
 */
const FAKE = 10_000;

describe('reconciler at scale', () => {
  let stack: Stack;
  let pg: Client;
  beforeAll(async () => {
    // The timer never fires during the test: passes are run by hand and timed.
    stack = await Stack.start({ worker: 'none', config: { RECONCILE_INTERVAL_MS: 3_600_000, LOG_LEVEL: 'silent' } });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  it(`one pass re-enqueues all ${FAKE.toLocaleString('en')} + a few active remediations after a Redis flush, and writes nothing onto finished ones`, async () => {
    const real: Json[] = [];
    const instances: string[] = [];
    for (const os of ['2016', '2019', '2022']) {
      const id = await stack.instance(os, 'cause-a');
      instances.push(id);
      real.push(await stack.submit({ instanceId: id, mode: 'fix' }));
    }
    await pg.query(
      `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at, updated_at, created_at)
       SELECT 'i-zf' || lpad(to_hex(g), 15, '0'), 'eu-west-1', 'fix', 'remove-role', 'api', 'running', 'precheck',
              now() + interval '1 hour', now() - interval '2 hours', now() - interval '2 hours'
         FROM generate_series(1, $1) g`,
      [FAKE],
    );
    // Quiet for longer than the reconcile interval, like rows whose jobs were lost long ago.
    await pg.query(`UPDATE remediations SET updated_at = now() - interval '2 hours' WHERE id = ANY($1::uuid[])`, [real.map((r) => r.id)]);
    expect(await stack.flushQueueKeys()).toBeGreaterThan(0);
    // Some already finished remediations: the pass must leave them alone.
    await pg.query(
      `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, outcome, deadline_at, finished_at, updated_at)
       SELECT 'i-zd' || lpad(to_hex(g), 15, '0'), 'eu-west-1', 'fix', 'remove-role', 'api', 'finished', 'done', 'fixed', now(), now(), now() - interval '2 hours'
         FROM generate_series(1, 500) g`,
    );

    await stack.startInProcessWorker();
    const app = (stack as unknown as { worker: INestApplicationContext }).worker;
    const reconciler = app.get(ReconcilerService);
    // Nothing is processed while the pass runs, so what it wrote can be counted exactly.
    await app.get(RemediationWorkerService).pause();
    const t0 = Date.now();
    const requeued = await reconciler.tick();
    const ms = Date.now() - t0;
    // eslint-disable-next-line no-console
    console.log(`reconciler: one pass over ${reconciler.lastPass?.scanned} active remediations re-enqueued ${requeued} in ${ms} ms`);
    expect(requeued).toBe(FAKE + real.length);

    // Every active row got exactly one `requeued` event; no finished row got any.
    const counts = (
      await pg.query(
        `SELECT r.state = 'finished' AS finished, count(e.id)::int AS events, count(DISTINCT r.id)::int AS rows
           FROM remediations r JOIN timeline_events e ON e.remediation_id = r.id AND e.type = 'requeued'
          GROUP BY 1`,
      )
    ).rows;
    expect(counts.filter((c) => c.finished)).toEqual([]);
    const active = counts.find((c) => !c.finished)!;
    expect(active).toEqual({ finished: false, rows: FAKE + real.length, events: FAKE + real.length });

    // The fake rows end (as an operator would close them); a second pass writes nothing onto them.
    await pg.query(`UPDATE remediations SET state = 'finished', step = 'done', outcome = 'failed', reason = 'instance_not_found', finished_at = now() WHERE instance_id LIKE 'i-zf%' AND state <> 'finished'`);
    // A fetch the worker had already begun when it paused may have taken one job during the first
    // pass; let that step end (it re-schedules itself) so the flush below leaves no job behind.
    const worker = app.get(RemediationWorkerService);
    await until('no job in flight', async () => worker.inFlightJobs().length === 0, 60_000, 50);
    // Redis loses everything once more: now only the real ones are active, and only they come back.
    await stack.flushQueueKeys();
    await pg.query(`UPDATE remediations SET updated_at = now() - interval '2 hours' WHERE id = ANY($1::uuid[])`, [real.map((r) => r.id)]);
    // At most the real ones: a step the paused worker was still finishing may have given its row a
    // fresh job or timestamp (then it needs none). What this pass must never do is touch the
    // finished rows (checked next); the real ones must still complete (checked last).
    const second = await reconciler.tick();
    expect(second).toBeGreaterThanOrEqual(1);
    expect(second).toBeLessThanOrEqual(real.length);
    const onFinished = (
      await pg.query(
        `SELECT count(*)::int AS n FROM timeline_events e JOIN remediations r ON r.id = e.remediation_id
          WHERE e.type = 'requeued' AND r.instance_id LIKE 'i-zf%' GROUP BY e.remediation_id HAVING count(*) > 1 LIMIT 1`,
      )
    ).rows;
    expect(onFinished).toEqual([]);

    // The real ones were among them and complete.
    app.get(RemediationWorkerService).resume();
    for (const [i, r] of real.entries()) {
      const done = await until(`remediation ${r.id}`, async () => {
        const row = (await pg.query(`SELECT state, outcome, reason, reason_detail FROM remediations WHERE id = $1`, [r.id])).rows[0];
        return row.state === 'finished' ? row : null;
      }, 120_000, 250);
      expect({ outcome: done.outcome, reason: done.reason, detail: done.reason_detail }).toEqual({ outcome: 'fixed', reason: null, detail: expect.anything() });
      expect((await stack.groundTruth(instances[i])).canRdp).toBe(true);
    }
  }, 240_000);
});
