import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The batched command path (issue 10, docs/batching.md): one provider command for up to 50
 * command runs with the same script and parameters. A run on the batched path carries its
 * group key (`batch_key`) while `requested`, and the batch that claimed it (`batch_id`) from
 * `sending` on. The batch row is fenced like a run (send_epoch, lookup_until): its marker is the
 * one the provider stores, and a lost send answer is looked up by it.
 */
export class CommandBatches1764540000000 implements MigrationInterface {
  name = 'CommandBatches1764540000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE command_batches (
        id uuid PRIMARY KEY,
        region varchar(32) NOT NULL,
        channel varchar(16) NOT NULL,
        batch_key varchar(200) NOT NULL,
        script_name varchar(48) NOT NULL,
        status varchar(24) NOT NULL,
        send_epoch int NOT NULL DEFAULT 1,
        command_id varchar(64),
        run_count int NOT NULL,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sending_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        lookup_until timestamptz,
        send_unknown_at timestamptz,
        lookup_count int NOT NULL DEFAULT 0,
        collect_count int NOT NULL DEFAULT 0,
        closed_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_command_batches_open ON command_batches (status, created_at) WHERE closed_at IS NULL`);
    await q.query(`ALTER TABLE command_runs ADD COLUMN batch_key varchar(200), ADD COLUMN batch_id uuid`);
    // The dispatcher's claim: the oldest requested runs of one group in one region.
    await q.query(`CREATE INDEX ix_command_runs_batch_requested ON command_runs (region, batch_key, requested_at) WHERE status = 'requested' AND batch_key IS NOT NULL`);
    await q.query(`CREATE INDEX ix_command_runs_batch_id ON command_runs (batch_id) WHERE batch_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_command_runs_batch_id`);
    await q.query(`DROP INDEX ix_command_runs_batch_requested`);
    await q.query(`ALTER TABLE command_runs DROP COLUMN batch_id, DROP COLUMN batch_key`);
    await q.query(`DROP TABLE command_batches`);
  }
}
