import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets most step writes of a remediation be HOT updates (no new index entries): every update
 * sets `updated_at`, and one index held it, so each of a remediation's ~8 step writes inserted
 * into every index of the table. The unfinished rows are still found by state through a partial
 * index on `state` alone; the few readers that order by `updated_at` sort the unfinished rows.
 * Free space on each page (fillfactor 80) is where a HOT update puts the new row version.
 */
export class HotRemediationUpdates1764560000000 implements MigrationInterface {
  name = 'HotRemediationUpdates1764560000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_remediations_unfinished_state ON remediations (state) WHERE state <> 'finished'`);
    await q.query(`DROP INDEX ix_remediations_active`);
    await q.query(`ALTER TABLE remediations SET (fillfactor = 80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations RESET (fillfactor)`);
    await q.query(`CREATE INDEX ix_remediations_active ON remediations (state, updated_at) WHERE state <> 'finished'`);
    await q.query(`DROP INDEX ix_remediations_unfinished_state`);
  }
}
