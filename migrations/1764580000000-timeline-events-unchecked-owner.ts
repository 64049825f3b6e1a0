import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * timeline_events is an append-only log written about 25 times per campaign remediation, always
 * in the statement that reads or writes its remediation (the step write's own row, a command
 * run's row, a row looked up first), and no code deletes remediations. Its foreign key still
 * checked each insert with a `SELECT … FOR KEY SHARE` on the remediation row: 27 per
 * remediation in `npm run bench:fleet`, 4.5 % of the statement time PostgreSQL recorded at
 * 60,000 targets (pg_stat_statements), each lock also a row mark and a WAL record. The owner is
 * still indexed (ix_timeline_events_remediation); command_runs, stream_tokens,
 * webhook_deliveries and idempotency_keys keep their foreign keys.
 */
export class TimelineEventsUncheckedOwner1764580000000 implements MigrationInterface {
  name = 'TimelineEventsUncheckedOwner1764580000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE timeline_events DROP CONSTRAINT timeline_events_remediation_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE timeline_events ADD CONSTRAINT timeline_events_remediation_id_fkey FOREIGN KEY (remediation_id) REFERENCES remediations(id) ON DELETE CASCADE`,
    );
  }
}
