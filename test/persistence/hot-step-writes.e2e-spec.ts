import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, RemediationEntity, RemediationRepository } from '@rdpfix/persistence';
import { runningRemediationRow } from '../support/persistence-rows';
import { openTestDatabase } from '../support/test-database';

/** Incompressible JSON of about `bytes` (PostgreSQL would compress a repetitive one below the size a diagnosed row has). */
const blob = (bytes: number) => ({ data: randomBytes(bytes / 2).toString('hex') });

/**
 * A campaign remediation's row is about 2.8 kB once diagnosed (facts, plan, reports: the fleet
 * bench's BENCH_ROW_SIZES) and its step writes change no indexed column until it ends. Such a
 * write is HOT (no new index entries) only when its page has room for the new row version: at
 * fillfactor 80 two rows filled a page's insert room and half the step writes went to another
 * page, adding an entry to every index of the table. A HOT update keeps the row on its page, so
 * the test reads each row's page (ctid) before and after every step write.
 */
describe('remediation step writes stay on their page (HOT)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let ds: DataSource;
  let remediations: RemediationRepository;

  beforeAll(async () => {
    db = await openTestDatabase('hot');
    ds = await new DataSource(dataSourceOptions(db.dbUrl, { extra: { max: 2 } })).initialize();
    remediations = new RemediationRepository(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.close();
  });

  const pages = async (ids: string[]): Promise<Map<string, string>> => {
    const rows = (await ds.query(`SELECT id, (ctid::text::point)[0]::int AS page FROM remediations WHERE id = ANY($1::uuid[])`, [ids])) as { id: string; page: number }[];
    return new Map(rows.map((r) => [r.id, String(r.page)]));
  };

  it('40 diagnosed rows of 2.8 kB: every step write keeps its row on its page (14 of 40 at the former fillfactor 80)', async () => {
    const rows: RemediationEntity[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push(await remediations.insert(runningRemediationRow({ facts: blob(900) as never, plan: blob(500) as never, verification: blob(700) as never, changes: blob(250) as never })));
    }
    const size = (await ds.query(`SELECT avg(pg_column_size(r.*))::int AS n FROM remediations r`))[0].n as number;
    expect(size).toBeGreaterThan(2500);
    // One write per row: the room it needs must be there from the insert on. (Later writes also
    // depend on pruning the version before, which an old snapshot anywhere in the database can
    // delay; that is PostgreSQL's, not the table's.)
    const before = await pages(rows.map((r) => r.id));
    const saved = await Promise.all(rows.map((r) => remediations.saveStep(r, { stepData: { at: randomBytes(8).toString('hex') } as never }, [{ type: 't', step: r.step, message: 'm' }])));
    expect(saved.every((s) => s !== null)).toBe(true);
    const after = await pages(rows.map((r) => r.id));
    const kept = rows.filter((r) => before.get(r.id) === after.get(r.id)).length;
    expect(kept).toBe(40);
  });
});
