import { MigrationInterface, QueryRunner } from 'typeorm';

/** Remediations, their command runs and their timeline (issue 2). */
export class InitialSchema1764057600000 implements MigrationInterface {
  name = 'InitialSchema1764057600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE remediations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id varchar(32) NOT NULL,
        region varchar(32) NOT NULL,
        tenant_id varchar(64),
        mode varchar(16) NOT NULL CHECK (mode IN ('diagnose','fix')),
        strategy varchar(32) NOT NULL CHECK (strategy IN ('remove-role','configure-licensing')),
        license_server varchar(253),
        licensing_mode varchar(16) CHECK (licensing_mode IN ('per-user','per-device')),
        allow_reboot boolean NOT NULL DEFAULT false,
        source varchar(16) NOT NULL CHECK (source IN ('ticket','console','campaign','api')),
        ticket_ref varchar(128),
        callback_url varchar(2048),
        state varchar(24) NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','awaiting_approval','finished')),
        step varchar(16) NOT NULL DEFAULT 'precheck',
        step_data jsonb NOT NULL DEFAULT '{}',
        outcome varchar(24) CHECK (outcome IN ('fixed','already_healthy','diagnosed','refused','failed','cancelled')),
        reason varchar(48),
        reason_detail text,
        facts jsonb,
        plan jsonb,
        changes jsonb NOT NULL DEFAULT '[]',
        verification jsonb,
        boot_time_before timestamptz,
        rebooted boolean NOT NULL DEFAULT false,
        cancel_requested boolean NOT NULL DEFAULT false,
        approved_at timestamptz,
        approval_expires_at timestamptz,
        deadline_at timestamptz NOT NULL,
        actor jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        version int NOT NULL DEFAULT 1,
        CONSTRAINT ck_remediations_finished_has_outcome CHECK ((state = 'finished') = (outcome IS NOT NULL))
      )`);
    // The database, not the application, guarantees one active remediation per instance.
    await q.query(`CREATE UNIQUE INDEX uq_remediations_active_instance ON remediations (instance_id) WHERE state <> 'finished'`);
    await q.query(`CREATE INDEX ix_remediations_created ON remediations (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_remediations_instance_created ON remediations (instance_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_remediations_active ON remediations (state, updated_at) WHERE state <> 'finished'`);
    await q.query(`CREATE INDEX ix_remediations_ticket_ref ON remediations (ticket_ref) WHERE ticket_ref IS NOT NULL`);

    await q.query(`
      CREATE TABLE command_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        remediation_id uuid NOT NULL REFERENCES remediations(id) ON DELETE CASCADE,
        step varchar(16) NOT NULL,
        purpose varchar(64) NOT NULL,
        attempt int NOT NULL DEFAULT 1,
        script_name varchar(48) NOT NULL,
        script_version int NOT NULL,
        script_sha256 char(64) NOT NULL,
        parameters jsonb NOT NULL DEFAULT '{}',
        channel varchar(16) NOT NULL,
        instance_id varchar(32) NOT NULL,
        region varchar(32) NOT NULL,
        command_id varchar(64),
        status varchar(16) NOT NULL DEFAULT 'requested',
        provider_status varchar(32),
        provider_status_details varchar(64),
        exit_code int,
        stdout_excerpt text,
        stderr_excerpt text,
        truncated boolean NOT NULL DEFAULT false,
        result jsonb,
        error text,
        poll_count int NOT NULL DEFAULT 0,
        requested_at timestamptz NOT NULL DEFAULT now(),
        sending_at timestamptz,
        sent_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        timeout_at timestamptz
      )`);
    // One command per purpose and attempt: a restarted worker can never send the same change twice.
    await q.query(`CREATE UNIQUE INDEX uq_command_runs_purpose_attempt ON command_runs (remediation_id, purpose, attempt)`);
    await q.query(`CREATE INDEX ix_command_runs_command ON command_runs (command_id) WHERE command_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE timeline_events (
        id bigserial PRIMARY KEY,
        remediation_id uuid NOT NULL REFERENCES remediations(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        type varchar(48) NOT NULL,
        step varchar(16),
        message text NOT NULL,
        data jsonb,
        actor jsonb
      )`);
    await q.query(`CREATE INDEX ix_timeline_events_remediation ON timeline_events (remediation_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE timeline_events`);
    await q.query(`DROP TABLE command_runs`);
    await q.query(`DROP TABLE remediations`);
  }
}
