import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * At-most-once sends (issue 8, docs/at-most-once.md): a command run carries a send epoch (the
 * fencing token every transition compares), when its lookups must stop, when its send's outcome
 * became unknown and how many lookups were made. `send_outcome_unknown` needs a wider status.
 */
export class FencedSends1764500000000 implements MigrationInterface {
  name = 'FencedSends1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE command_runs ALTER COLUMN status TYPE varchar(24)`);
    await q.query(`ALTER TABLE command_runs ADD COLUMN send_epoch int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE command_runs ADD COLUMN lookup_until timestamptz`);
    await q.query(`ALTER TABLE command_runs ADD COLUMN send_unknown_at timestamptz`);
    await q.query(`ALTER TABLE command_runs ADD COLUMN lookup_count int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE command_runs DROP COLUMN lookup_count`);
    await q.query(`ALTER TABLE command_runs DROP COLUMN send_unknown_at`);
    await q.query(`ALTER TABLE command_runs DROP COLUMN lookup_until`);
    await q.query(`ALTER TABLE command_runs DROP COLUMN send_epoch`);
    // A run that ended send_outcome_unknown keeps a 16-character form of it.
    await q.query(`UPDATE command_runs SET status = 'unknown_outcome' WHERE status = 'send_outcome_unknown'`);
    await q.query(`ALTER TABLE command_runs ALTER COLUMN status TYPE varchar(16)`);
  }
}
