import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each page for a remediation's next row version. A campaign remediation's row is about
 * 2.8 kB once diagnosed (facts, plan, reports) and is written about 7 times; at fillfactor 80 two
 * rows filled a page's insert room and left less free space than a new version needs, so about
 * half of the step writes were not HOT: each put new entries into every index of the table.
 * Applies to pages filled from now on; existing rows move to such pages as they are updated.
 */
export class RemediationsFillfactor1764610000000 implements MigrationInterface {
  name = 'RemediationsFillfactor1764610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations SET (fillfactor = 80)`);
  }
}
