import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps a remediation's main row small so that its step writes can be HOT updates. Its wide jsonb
 * (facts ~0.9 KB, verification ~0.7 KB, plan ~0.5 KB, compressed) are written once each, but every
 * one of its ~6 step writes copied the whole ~2 KB row into a new version, which seldom fitted in
 * the page's free space: about half the updates were not HOT and inserted into every index of
 * the table. With a 256-byte toast target those columns live out of line; an update that does not
 * set them copies an 18-byte pointer, and the new version fits beside the old one.
 */
export class RemediationToastTarget1764570000000 implements MigrationInterface {
  name = 'RemediationToastTarget1764570000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations SET (toast_tuple_target = 256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE remediations RESET (toast_tuple_target)`);
  }
}
