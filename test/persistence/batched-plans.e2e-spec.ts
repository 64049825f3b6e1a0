import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, RemediationEntity, RemediationRepository } from '@rdpfix/persistence';
import { runningRemediationRow } from '../support/persistence-rows';
import { openTestDatabase } from '../support/test-database';

type NoticeClient = { on(e: 'notice', fn: (m: { message?: string }) => void): void };
type PgPool = { on(e: 'acquire', fn: (c: NoticeClient) => void): void };

/**
 * The batched statements that join a set of ids against `remediations` (step writes, row reads)
 * must read it by its primary key however small the table was when the connection first ran
 * them. As prepared statements they got a generic plan after five runs; made while the table held
 * a few rows, that plan hash-joined a sequential scan of the whole table, and the connection kept
 * it as the table grew. The test reads the plans PostgreSQL actually executed (auto_explain, sent
 * to the client as notices) on the pool's only connection.
 */
describe('batched statements against a growing table', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let ds: DataSource;
  let remediations: RemediationRepository;
  const plans: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('plans');
    // One connection: every statement below shares one session, its prepared statements and their plans.
    ds = await new DataSource(dataSourceOptions(db.dbUrl, { extra: { max: 1 } })).initialize();
    const pool = (ds.driver as unknown as { master: PgPool }).master;
    // The pool's one client connected during initialize: listen on it when it is first checked out.
    const listening = new WeakSet<NoticeClient>();
    pool.on('acquire', (c) => {
      if (listening.has(c)) return;
      listening.add(c);
      c.on('notice', (m) => m.message?.includes('Query Text:') && plans.push(m.message));
    });
    remediations = new RemediationRepository(ds);
    await ds.query(`LOAD 'auto_explain'`);
    await ds.query(`SET auto_explain.log_min_duration = 0`);
    await ds.query(`SET auto_explain.log_level = 'notice'`);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.close();
  });

  /** Three campaign step writes and three row reads, each set in one turn (one batched statement each). */
  const round = async (rows: RemediationEntity[]) => {
    const saved = await Promise.all(rows.map((r) => remediations.saveStep(r, { stepData: { at: randomUUID() } as never }, [{ type: 't', step: r.step, message: 'm' }])));
    expect(saved.every((s) => s !== null)).toBe(true);
    const read = await Promise.all(rows.map((r) => remediations.findByIdWithRunsShared(r.id)));
    expect(read.map((x) => x?.row.id)).toEqual(rows.map((r) => r.id));
    return saved as RemediationEntity[];
  };
  const batchedPlans = () => ({
    writes: plans.filter((p) => p.includes('jsonb_populate_record')),
    reads: plans.filter((p) => p.includes('ANY(') && p.includes('json_agg')),
  });

  it('after the table grew from 6 rows to 30,006, a batched step write and a batched read use the primary key, not a sequential scan', async () => {
    let rows: RemediationEntity[] = [];
    for (let i = 0; i < 6; i++) rows.push(await remediations.insert(runningRemediationRow()));
    // Past the five custom plans after which a prepared statement may switch to its generic plan.
    for (let i = 0; i < 8; i++) rows = [...(await round(rows.slice(0, 3))), ...rows.slice(3)];
    const small = batchedPlans();
    expect(small.writes).toHaveLength(8);
    expect(small.reads).toHaveLength(8);
    // While the table is a page or two, a scan of it is the cheap plan, and that is fine.
    await ds.query(
      `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at)
       SELECT 'i-grown-' || g, 'eu-west-1', 'fix', 'remove-role', 'campaign', 'running', 'diagnose', now() + interval '1 hour'
         FROM generate_series(1, 30000) g`,
    );
    plans.length = 0;
    await round(rows.slice(3));
    const grown = batchedPlans();
    expect(grown.writes).toHaveLength(1);
    expect(grown.reads).toHaveLength(1);
    for (const p of [...grown.writes, ...grown.reads]) {
      expect(p).not.toMatch(/Seq Scan on remediations/);
      expect(p).toMatch(/Index Scan using remediations_pkey on remediations|Bitmap Index Scan on remediations_pkey/);
      expect(p).not.toMatch(/JIT:/);
    }
  });

  it("the application's sessions run with jit off: a stale estimate had JIT-compiled the engine's row read", async () => {
    expect((await ds.query(`SHOW jit`))[0].jit).toBe('off');
    // Even where the estimate crosses jit_above_cost, nothing is compiled.
    await ds.query(`SET jit_above_cost = 0`);
    try {
      plans.length = 0;
      await remediations.findByIdWithRunsShared(randomUUID());
      expect(plans.length).toBeGreaterThan(0);
      for (const p of plans) expect(p).not.toMatch(/JIT:/);
    } finally {
      await ds.query(`RESET jit_above_cost`);
    }
  });
});
