import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9 §6: a remediation is rolled back at most once. At most one rollback per remediation may
 * be running or have succeeded (`rolled_back`); refused, failed or cancelled rollbacks leave the
 * index when they finish, so they may be retried. Two concurrent rollback requests cannot both
 * insert a row.
 */
export class OneRollback1764300000000 implements MigrationInterface {
  name = 'OneRollback1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows written before this rule may already break it (the bug it fixes): say which, rather
    // than fail with a bare unique-violation.
    const dupes: { rollback_of: string; n: string }[] = await q.query(
      `SELECT rollback_of, count(*) AS n FROM remediations
        WHERE rollback_of IS NOT NULL AND (state <> 'finished' OR outcome = 'rolled_back')
        GROUP BY rollback_of HAVING count(*) > 1`,
    );
    if (dupes.length) {
      throw new Error(
        `cannot add uq_remediations_one_rollback: these remediations were rolled back more than once (their servers got the restore several times; review them): ${dupes.map((d) => `${d.rollback_of} x${d.n}`).join(', ')}`,
      );
    }
    await q.query(
      `CREATE UNIQUE INDEX uq_remediations_one_rollback ON remediations (rollback_of)
        WHERE rollback_of IS NOT NULL AND (state <> 'finished' OR outcome = 'rolled_back')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX uq_remediations_one_rollback`);
  }
}
