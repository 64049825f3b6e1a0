import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler pages through every active remediation in id order (issue 8, defect 6); this
 * partial index makes each page an index range scan however many finished rows there are.
 */
export class ActiveRemediationsById1764510000000 implements MigrationInterface {
  name = 'ActiveRemediationsById1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_remediations_active_id ON remediations (id) WHERE state IN ('queued','running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_remediations_active_id`);
  }
}
