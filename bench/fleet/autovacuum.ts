import type { DataSource } from 'typeorm';

/** The server's autovacuum settings that decide when a table is vacuumed or analyzed. */
interface Thresholds {
  naptimeS: number;
  vacuum: { base: number; scale: number };
  insert: { base: number; scale: number };
  analyze: { base: number; scale: number };
}

interface TableStats {
  relname: string;
  reltuples: number;
  n_dead_tup: number;
  n_ins_since_vacuum: number;
  n_mod_since_analyze: number;
}

/**
 * Stands in for autovacuum on a server that runs with it off (as this project's test machine
 * does), by PostgreSQL's own rules, so that the bench pays what a default server would: every
 * autovacuum_naptime, each table of the bench database whose dead rows exceed
 * autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × reltuples (or whose inserts
 * since the last vacuum exceed the insert threshold) is vacuumed, and each whose changes since
 * the last analyze exceed the analyze threshold is analyzed, one table after another, on a
 * backend of the bench database so that its CPU counts as PostgreSQL CPU.
 *
 * A fixed "VACUUM every 30 s" (used before) rescans whole tables however few rows changed, so
 * its cost grew with the square of the fleet: at 30,000 targets it was a fifth of PostgreSQL's CPU.
 * Not modelled: per-table storage parameters and the cost-based delay (which spreads the same
 * work over more wall time).
 */
export class AutovacuumStandIn {
  private timer?: NodeJS.Timeout;
  private busy = false;
  readonly runs = { vacuum: 0, analyze: 0, failed: 0 };

  private constructor(
    private readonly ds: DataSource,
    private readonly t: Thresholds,
  ) {}

  static async start(ds: DataSource): Promise<AutovacuumStandIn> {
    const rows: { name: string; setting: string }[] = await ds.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('autovacuum_naptime', 'autovacuum_vacuum_threshold', 'autovacuum_vacuum_scale_factor',
         'autovacuum_vacuum_insert_threshold', 'autovacuum_vacuum_insert_scale_factor', 'autovacuum_analyze_threshold', 'autovacuum_analyze_scale_factor')`,
    );
    const s = new Map(rows.map((r) => [r.name, Number(r.setting)]));
    const num = (name: string, fallback: number) => (Number.isFinite(s.get(name)) ? (s.get(name) as number) : fallback);
    const av = new AutovacuumStandIn(ds, {
      naptimeS: num('autovacuum_naptime', 60),
      vacuum: { base: num('autovacuum_vacuum_threshold', 50), scale: num('autovacuum_vacuum_scale_factor', 0.2) },
      // -1 disables insert-driven vacuums (PostgreSQL 13+); absent on older servers.
      insert: { base: num('autovacuum_vacuum_insert_threshold', -1), scale: num('autovacuum_vacuum_insert_scale_factor', 0.2) },
      analyze: { base: num('autovacuum_analyze_threshold', 50), scale: num('autovacuum_analyze_scale_factor', 0.1) },
    });
    av.timer = setInterval(() => void av.pass(), av.t.naptimeS * 1000);
    return av;
  }

  get naptimeS(): number {
    return this.t.naptimeS;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One autovacuum worker's visit to the database: what needs it, one table at a time. */
  private async pass(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const tables: TableStats[] = await this.ds.query(
        `SELECT s.relname, greatest(c.reltuples, 0)::float8 AS reltuples, s.n_dead_tup::float8 AS n_dead_tup,
                s.n_ins_since_vacuum::float8 AS n_ins_since_vacuum, s.n_mod_since_analyze::float8 AS n_mod_since_analyze
           FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = 'public'`,
      );
      for (const tb of tables) {
        const vacuum =
          tb.n_dead_tup > this.t.vacuum.base + this.t.vacuum.scale * tb.reltuples ||
          (this.t.insert.base >= 0 && tb.n_ins_since_vacuum > this.t.insert.base + this.t.insert.scale * tb.reltuples);
        const analyze = tb.n_mod_since_analyze > this.t.analyze.base + this.t.analyze.scale * tb.reltuples;
        if (!vacuum && !analyze) continue;
        const name = `"${tb.relname.replace(/"/g, '""')}"`;
        await this.ds.query(vacuum ? `VACUUM ${analyze ? '(ANALYZE) ' : ''}${name}` : `ANALYZE ${name}`);
        if (vacuum) this.runs.vacuum++;
        if (analyze) this.runs.analyze++;
      }
    } catch {
      // Counted and printed: a stand-in that silently stopped would flatter PostgreSQL's figures.
      this.runs.failed++;
    } finally {
      this.busy = false;
    }
  }
}
