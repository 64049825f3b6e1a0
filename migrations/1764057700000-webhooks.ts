import { MigrationInterface, QueryRunner } from 'typeorm';

/** Signed webhook deliveries and every attempt to send them (issue 4). */
export class Webhooks1764057700000 implements MigrationInterface {
  name = 'Webhooks1764057700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        remediation_id uuid NOT NULL REFERENCES remediations(id) ON DELETE CASCADE,
        event_type varchar(48) NOT NULL,
        url varchar(2048) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),
        attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz,
        last_status_code int,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT ck_webhook_deliveries_delivered CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
      )`);
    // An event is recorded (and so sent) once, even if the listener is told twice.
    await q.query(`CREATE UNIQUE INDEX uq_webhook_deliveries_event ON webhook_deliveries (remediation_id, event_type)`);
    // The sweeper's query: pending deliveries by due time.
    await q.query(`CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempt int NOT NULL CHECK (attempt >= 1),
        at timestamptz NOT NULL DEFAULT now(),
        status_code int,
        error text,
        duration_ms int NOT NULL CHECK (duration_ms >= 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_webhook_attempts_attempt ON webhook_attempts (delivery_id, attempt)`);
    // The sweeper looks for recently finished remediations whose webhook was never recorded.
    await q.query(`CREATE INDEX ix_remediations_finished_callback ON remediations (finished_at) WHERE callback_url IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_remediations_finished_callback`);
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
  }
}
