import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rollback remediations (issue 3): mode `rollback`, the remediation they undo, outcome `rolled_back`. */
export class Rollback1764057800000 implements MigrationInterface {
  name = 'Rollback1764057800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations DROP CONSTRAINT remediations_mode_check`);
    await q.query(`ALTER TABLE remediations ADD CONSTRAINT remediations_mode_check CHECK (mode IN ('diagnose','fix','rollback'))`);
    await q.query(`ALTER TABLE remediations DROP CONSTRAINT remediations_outcome_check`);
    await q.query(
      `ALTER TABLE remediations ADD CONSTRAINT remediations_outcome_check CHECK (outcome IN ('fixed','already_healthy','diagnosed','refused','failed','cancelled','rolled_back'))`,
    );
    await q.query(`ALTER TABLE remediations ADD COLUMN rollback_of uuid REFERENCES remediations(id)`);
    await q.query(`CREATE INDEX ix_remediations_rollback_of ON remediations (rollback_of) WHERE rollback_of IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_remediations_rollback_of`);
    await q.query(`ALTER TABLE remediations DROP COLUMN rollback_of`);
    await q.query(`ALTER TABLE remediations DROP CONSTRAINT remediations_outcome_check`);
    await q.query(`ALTER TABLE remediations ADD CONSTRAINT remediations_outcome_check CHECK (outcome IN ('fixed','already_healthy','diagnosed','refused','failed','cancelled'))`);
    await q.query(`ALTER TABLE remediations DROP CONSTRAINT remediations_mode_check`);
    await q.query(`ALTER TABLE remediations ADD CONSTRAINT remediations_mode_check CHECK (mode IN ('diagnose','fix'))`);
  }
}
