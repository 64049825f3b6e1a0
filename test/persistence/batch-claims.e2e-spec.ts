import { DataSource } from 'typeorm';
import { CommandRunEntity, CommandRunRepository, RemediationEntity, RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import { BatchStore } from '../../libs/remediation/src/engine/batch/batch-store';
import { CLAIM_SQL, claimParams } from '../../libs/remediation/src/engine/batch/batch-claim-sql';
import { countStatements } from '../support/count-statements';
import { requestedRunRow, runningRemediationRow } from '../support/persistence-rows';
import { openTestDatabase } from '../support/test-database';

/**
 * The dispatcher's claim and its "sent" record are one statement each (a busy worker's lanes held
 * a pooled connection across six and five round trips before). These prove the statements keep
 * what the transactions guaranteed, against real PostgreSQL: one instance once, locked rows
 * skipped, ended or cancelled remediations left out, every claimed run fenced by a new epoch,
 * and events only for what moved.
 */
describe('batch claim and sent record, one statement each', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let ds: DataSource;
  let store: BatchStore;
  let remediations: RemediationRepository;
  let runs: CommandRunRepository;
  let timeline: TimelineRepository;
  const KEY = 'diagnose@1:claims';

  beforeAll(async () => {
    db = await openTestDatabase('claims');
    ds = db.ds;
    store = new BatchStore(ds);
    remediations = new RemediationRepository(ds);
    runs = new CommandRunRepository(ds);
    timeline = new TimelineRepository(ds);
  });
  afterAll(() => db?.close());

  const newRemediation = (instanceId?: string, patch: Partial<RemediationEntity> = {}) =>
    remediations.insert(runningRemediationRow({ bootTimeBefore: new Date('2026-12-01T10:00:00Z'), ...(instanceId ? { instanceId } : {}), ...patch }));
  const request = (r: RemediationEntity, key = KEY, attempt = 1): Promise<CommandRunEntity> =>
    runs.request(requestedRunRow(r, { batchKey: key, attempt }), { message: 'requested', data: {} });
  const statusOf = async (ids: string[]) => (await ds.query(`SELECT status FROM command_runs WHERE id = ANY($1::uuid[])`, [ids])).map((r: { status: string }) => r.status);

  it('claims up to max requested runs oldest first, one per instance, leaving out ended, cancelled and other groups', async () => {
    const key = 'diagnose@1:mix';
    const ok = await Promise.all(Array.from({ length: 5 }, () => newRemediation()));
    const okRuns: CommandRunEntity[] = [];
    for (const r of ok) okRuns.push(await request(r, key)); // in order: requested_at ascending
    // The same instance twice (a second run of its remediation): only its older run goes in this batch.
    const twin = ok[0];
    const twinRun = await request(twin, key, 2);
    const cancelled = await newRemediation(undefined, { cancelRequested: true } as Partial<RemediationEntity>);
    const cancelledRun = await request(cancelled, key);
    const ended = await newRemediation(undefined, { state: 'awaiting_approval' } as Partial<RemediationEntity>);
    const endedRun = await request(ended, key);
    const other = await request(await newRemediation(), 'verify@1:other');

    const { value: claim, statements } = await countStatements(ds, () => store.claim('eu-west-1', 'ssm', key, 4, 30));
    expect(statements).toBe(1);
    expect(claim).not.toBeNull();
    const { batch, runs: claimed } = claim!;
    expect(claimed.map((c) => c.id)).toEqual(okRuns.slice(0, 4).map((r) => r.id));
    expect(batch).toMatchObject({ region: 'eu-west-1', channel: 'ssm', batch_key: key, script_name: 'diagnose', status: 'sending', send_epoch: 1, run_count: 4 });
    expect(batch.sending_at).toBeInstanceOf(Date);
    expect(batch.db_now).toBeInstanceOf(Date);
    expect(batch.lookup_until!.getTime() - batch.sending_at.getTime()).toBeGreaterThanOrEqual(29_000);
    for (const [i, c] of claimed.entries()) {
      expect(c.send_epoch).toBe(okRuns[i].sendEpoch + 1); // fenced: a writer holding the old epoch can no longer move it
      expect(c.parameters).toEqual({ a: 1 });
      expect(c.boot_time_before).toEqual(new Date('2026-12-01T10:00:00Z'));
    }
    const rows = await ds.query(`SELECT status, batch_id FROM command_runs WHERE id = ANY($1::uuid[])`, [claimed.map((c) => c.id)]);
    expect(rows).toEqual(claimed.map(() => ({ status: 'sending', batch_id: batch.id })));
    expect(await statusOf([twinRun.id, cancelledRun.id, endedRun.id, other.id, okRuns[4].id])).toEqual(['requested', 'requested', 'requested', 'requested', 'requested']);
    const events = (await timeline.list(ok[1].id)).filter((e) => e.type === 'command_batched');
    expect(events.map((e) => [e.message, e.data])).toEqual([
      [`diagnose goes out in batch ${batch.id} with 3 other instance(s)`, { commandRunId: okRuns[1].id, batchId: batch.id, epoch: okRuns[1].sendEpoch + 1, size: 4 }],
    ]);
    expect((await timeline.list(twin.id)).filter((e) => e.type === 'command_batched').map((e) => e.data)).toEqual([expect.objectContaining({ commandRunId: okRuns[0].id })]);

    // The next claim takes the fifth and, its older twin now being claimed, the twin's run.
    const next = await store.claim('eu-west-1', 'ssm', key, 4, 30);
    expect(next!.runs.map((c) => c.id)).toEqual([okRuns[4].id, twinRun.id]);
    expect(next!.batch.run_count).toBe(2);
    expect(await store.claim('eu-west-1', 'ssm', key, 4, 30)).toBeNull();
    expect(await ds.query(`SELECT count(*)::int AS n FROM command_batches WHERE batch_key = $1`, [key])).toEqual([{ n: 2 }]);
  });

  it('claims at once never take a run twice, and an empty claim writes no batch', async () => {
    const key = 'diagnose@1:race';
    const rs = await Promise.all(Array.from({ length: 30 }, () => newRemediation()));
    for (const r of rs) await request(r, key);
    const claims = await Promise.all(Array.from({ length: 4 }, () => store.claim('eu-west-1', 'ssm', key, 10, 30)));
    // Rows another claim holds are skipped, so a racing claim may find fewer (or none); what the
    // race left is claimed afterwards, and no run is ever in two batches.
    expect(claims.filter((c) => c !== null).length).toBeGreaterThanOrEqual(1);
    for (let next = await store.claim('eu-west-1', 'ssm', key, 10, 30); next; next = await store.claim('eu-west-1', 'ssm', key, 10, 30)) claims.push(next);
    const ids = claims.flatMap((c) => c?.runs.map((r) => r.id) ?? []);
    expect(ids.length).toBe(30);
    expect(new Set(ids).size).toBe(30);
    const batches: { run_count: number; n: number }[] = await ds.query(
      `SELECT b.run_count, count(c.id)::int AS n FROM command_batches b JOIN command_runs c ON c.batch_id = b.id WHERE b.batch_key = $1 GROUP BY b.id`,
      [key],
    );
    expect(batches.length).toBe(claims.filter((c) => c !== null).length);
    for (const b of batches) expect(b.run_count).toBe(b.n);
  });

  it('a run locked by another transaction is skipped, not waited for', async () => {
    const key = 'diagnose@1:locked';
    const [a, b] = [await newRemediation(), await newRemediation()];
    const ra = await request(a, key);
    const rb = await request(b, key);
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM command_runs WHERE id = $1 FOR UPDATE`, [ra.id]);
      const claim = await store.claim('eu-west-1', 'ssm', key, 10, 30);
      expect(claim!.runs.map((r) => r.id)).toEqual([rb.id]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await statusOf([ra.id])).toEqual(['requested']);
  });

  it('the sent record moves the batch and its runs in one statement; a stale epoch moves nothing', async () => {
    const key = 'diagnose@1:sent';
    const rs = await Promise.all(Array.from({ length: 3 }, () => newRemediation()));
    for (const r of rs) await request(r, key);
    const { batch, runs: claimed } = (await store.claim('eu-west-1', 'ssm', key, 50, 30))!;

    expect(await store.markSent({ ...batch, send_epoch: batch.send_epoch + 1 }, 'cmd-stale', 600, 'now')).toBeNull();
    expect(await statusOf(claimed.map((c) => c.id))).toEqual(['sending', 'sending', 'sending']);

    const { value: moved, statements } = await countStatements(ds, () => store.markSent(batch, 'cmd-1', 600, 'now'));
    expect(statements).toBe(1);
    expect(moved!.map((m) => m.id).sort()).toEqual(claimed.map((c) => c.id).sort());
    expect(moved!.map((m) => m.remediation_id).sort()).toEqual(rs.map((r) => r.id).sort());
    const after = await store.batch(batch.id);
    expect(after).toMatchObject({ status: 'sent', command_id: 'cmd-1' });
    const rows: { status: string; command_id: string; secs: number }[] = await ds.query(
      `SELECT status, command_id, extract(epoch FROM timeout_at - sent_at)::int AS secs FROM command_runs WHERE batch_id = $1`,
      [batch.id],
    );
    expect(rows).toEqual(claimed.map(() => ({ status: 'pending', command_id: 'cmd-1', secs: 600 })));
    const sent = (await timeline.list(rs[0].id)).filter((e) => e.type === 'command_sent');
    expect(sent.map((e) => e.message)).toEqual([`sent diagnose as command cmd-1 (batch of 3)`]);
    expect(sent[0].data).toEqual({ commandRunId: claimed.find((c) => c.remediation_id === rs[0].id)!.id, commandId: 'cmd-1', batchId: batch.id });

    // Recorded twice (a recovery finding it by marker after the answer came): nothing moves again.
    expect(await store.markSent(batch, 'cmd-1', 600, 'sending')).toBeNull();
    expect((await timeline.list(rs[0].id)).filter((e) => e.type === 'command_sent' || e.type === 'command_recovered').length).toBe(1);
  });

  it('a batch found by its marker is recorded as sent when it was sending, with a recovered event', async () => {
    const key = 'diagnose@1:found';
    const r = await newRemediation();
    await request(r, key);
    const { batch } = (await store.claim('eu-west-1', 'ssm', key, 50, 30))!;
    await ds.query(`UPDATE command_batches SET sending_at = now() - interval '20 seconds' WHERE id = $1`, [batch.id]);
    const moved = await store.markSent(batch, 'cmd-found', 100, 'sending');
    expect(moved!.length).toBe(1);
    const [row] = await ds.query(
      `SELECT extract(epoch FROM now() - c.sent_at)::int AS age, (c.sent_at = b.sending_at) AS same, b.sent_at = b.sending_at AS batch_same
         FROM command_runs c JOIN command_batches b ON b.id = c.batch_id WHERE b.id = $1`,
      [batch.id],
    );
    expect(row).toEqual({ age: 20, same: true, batch_same: true });
    const events = (await timeline.list(r.id)).filter((e) => e.type === 'command_recovered');
    expect(events.map((e) => e.message)).toEqual([`found batch ${batch.id} already sent as command cmd-found; not sending it again`]);
  });

  it("the claim's plan does not depend on remediations' statistics: stale ones still read the group's runs in order, not every running remediation", async () => {
    // Statistics taken while the group's 3,000 requested runs belonged to finished remediations;
    // then those remediations are running again, with no ANALYZE in between (as between two
    // autovacuum analyzes at fleet scale, when the planner believed few remediations were running).
    const key = 'diagnose@1:stale-stats';
    const template = await newRemediation();
    const templateRun = await request(template, key);
    await ds.query(
      `INSERT INTO remediations SELECT (jsonb_populate_record(r, jsonb_build_object('id', gen_random_uuid(), 'instance_id', 'i-stale-' || g,
              'state', 'finished', 'step', 'done', 'outcome', 'diagnosed', 'finished_at', now()))).* FROM remediations r, generate_series(1, 3000) g WHERE r.id = $1`,
      [template.id],
    );
    await ds.query(
      `INSERT INTO command_runs SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid(), 'remediation_id', r.id, 'instance_id', r.instance_id,
              'requested_at', now() + interval '1 second'))).*
         FROM command_runs c, remediations r WHERE c.id = $1 AND r.instance_id LIKE 'i-stale-%'`,
      [templateRun.id],
    );
    await ds.query(`ANALYZE remediations`);
    await ds.query(`ANALYZE command_runs`);
    await ds.query(`UPDATE remediations SET state = 'running', step = 'diagnose', outcome = NULL, finished_at = NULL WHERE instance_id LIKE 'i-stale-%'`);
    const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (FORMAT JSON) ${CLAIM_SQL}`, claimParams('eu-west-1', 'ssm', key, 50, '00000000-0000-4000-8000-000000000000', 30));
    const nodes: { type: string; relation?: string; index?: string; cond?: string }[] = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push({ type: n['Node Type'] as string, relation: n['Relation Name'] as string | undefined, index: n['Index Name'] as string | undefined, cond: n['Index Cond'] as string | undefined });
      for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(plan[0].Plan);
    // Every read of remediations is one row by its id (primary key, or the partial index of active
    // ids), once per run; the runs come in order from their partial index.
    const byId = (n: (typeof nodes)[number]) => n.type === 'Index Scan' && /^\(?id = c\.remediation_id\)?$/.test(n.cond ?? '');
    const reads = nodes.filter((n) => n.relation === 'remediations');
    expect(reads.length).toBe(1);
    expect(reads.filter((n) => !byId(n))).toEqual([]);
    expect(nodes).toContainEqual(expect.objectContaining({ type: 'Index Scan', relation: 'command_runs', index: 'ix_command_runs_batch_requested' }));
    // And it still claims them: the oldest 50, one per instance.
    const claim = await store.claim('eu-west-1', 'ssm', key, 50, 30);
    expect(claim!.runs.length).toBe(50);
    expect(claim!.runs[0].id).toBe(templateRun.id);
  });

  it("a claim from its group's floor skips the claimed runs' dead index entries (far fewer pages read) and takes only runs at or above the floor", async () => {
    const key = 'diagnose@1:floor';
    const template = await newRemediation();
    const templateRun = await request(template, key);
    // 4,000 runs of running remediations, one a second; the oldest 3,950 claimed (as by earlier batches), not yet vacuumed.
    await ds.query(
      `INSERT INTO remediations SELECT (jsonb_populate_record(r, jsonb_build_object('id', gen_random_uuid(), 'instance_id', 'i-floor-' || g))).*
         FROM remediations r, generate_series(1, 4000) g WHERE r.id = $1`,
      [template.id],
    );
    await ds.query(
      `INSERT INTO command_runs SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid(), 'remediation_id', r.id, 'instance_id', r.instance_id,
              'requested_at', now() - make_interval(secs => 10000 - substr(r.instance_id, 9)::int)))).*
         FROM command_runs c, remediations r WHERE c.id = $1 AND r.instance_id LIKE 'i-floor-%'`,
      [templateRun.id],
    );
    await ds.query(`DELETE FROM command_runs WHERE id = $1`, [templateRun.id]);
    await ds.query(`UPDATE command_runs SET status = 'sending' WHERE batch_key = $1 AND substr(instance_id, 9)::int <= 3950`, [key]);
    const [{ oldest }] = await ds.query(`SELECT min(requested_at) AS oldest FROM command_runs WHERE batch_key = $1 AND status = 'requested'`, [key]);
    const floor = new Date(new Date(oldest).getTime() - 10_000).toISOString();
    // Pages of the partial index one claim reads, from the start and from the floor (executed, then rolled back).
    const pagesRead = async (from: string): Promise<number> => {
      const runner = ds.createQueryRunner();
      await runner.startTransaction();
      try {
        const fetched = async () => Number((await runner.query(`SELECT pg_stat_get_xact_blocks_fetched('ix_command_runs_batch_requested'::regclass) AS n`))[0].n);
        const before = await fetched();
        await runner.query(CLAIM_SQL, claimParams('eu-west-1', 'ssm', key, 50, '00000000-0000-4000-8000-000000000000', 30, from));
        return (await fetched()) - before;
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    };
    await pagesRead('-infinity'); // the first scan marks the dead entries killed; later ones skip them without the heap
    const fromStart = await pagesRead('-infinity');
    const fromFloor = await pagesRead(floor);
    expect(fromStart).toBeGreaterThan(5 * fromFloor);
    // From the floor the claim takes the same runs as from the start: the 50 requested, oldest first.
    const claim = await store.claim('eu-west-1', 'ssm', key, 50, 30, floor);
    expect(claim!.runs.map((r) => r.instance_id)).toEqual(Array.from({ length: 50 }, (_, i) => `i-floor-${3951 + i}`));
    // A run put back to requested below the floor (an unsent batch keeps its requested_at): not
    // taken from the floor — the sender then claims from the start (claim-floors.ts) — but from the start it is.
    await ds.query(`UPDATE command_runs SET status = 'requested', batch_id = NULL WHERE batch_key = $1 AND instance_id = 'i-floor-7'`, [key]);
    expect(await store.claim('eu-west-1', 'ssm', key, 50, 30, floor)).toBeNull();
    const again = await store.claim('eu-west-1', 'ssm', key, 50, 30, '-infinity');
    expect(again!.runs.map((r) => r.instance_id)).toEqual(['i-floor-7']);
  });
});
