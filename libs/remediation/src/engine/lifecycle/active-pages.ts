import { DataSource } from 'typeorm';

/** An active remediation as the reconciler needs it: its source decides its job's priority. */
export interface ActiveRow {
  id: string;
  source: string;
}

/**
 * Every active (queued or running) remediation, page by page in id order (keyset pagination:
 * each page starts after the last id of the one before, so a pass sees each row once, however
 * many there are and whatever their updated_at). Rows touched within `quietMs` are skipped:
 * their job is probably running right now.
 */
export class ActivePages implements AsyncIterable<ActiveRow[]> {
  constructor(
    private readonly ds: DataSource,
    private readonly quietMs: number,
    private readonly pageSize: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<ActiveRow[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: ActiveRow[] = await this.ds.query(
        `SELECT id, source FROM remediations
          WHERE state IN ('queued','running') AND id > $1::uuid
            AND updated_at < now() - ($2::int * interval '1 millisecond')
          ORDER BY id LIMIT $3`,
        [after, this.quietMs, this.pageSize],
      );
      if (!rows.length) return;
      yield rows.map((r) => ({ id: r.id, source: r.source }));
      if (rows.length < this.pageSize) return;
      after = rows[rows.length - 1].id;
    }
  }
}
