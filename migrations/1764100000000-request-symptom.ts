import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 7: the caller's reported symptom (cause A is the symptom, not the setting), the account
 * it concerns, and the explicit request to remove the RD Session Host role from a server whose
 * licensing is configured.
 */
export class RequestSymptom1764100000000 implements MigrationInterface {
  name = 'RequestSymptom1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations ADD COLUMN symptom varchar(32) CHECK (symptom IN ('another-user-logged-on'))`);
    await q.query(`ALTER TABLE remediations ADD COLUMN symptom_account varchar(104)`);
    await q.query(`ALTER TABLE remediations ADD COLUMN remove_role_despite_licensing boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations DROP COLUMN remove_role_despite_licensing`);
    await q.query(`ALTER TABLE remediations DROP COLUMN symptom_account`);
    await q.query(`ALTER TABLE remediations DROP COLUMN symptom`);
  }
}
