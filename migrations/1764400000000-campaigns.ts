import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fleet campaigns (issue 10): a campaign, its frozen target list, per-wave counters and its own
 * timeline. Targets link to remediations through campaign_targets.remediation_id; the core
 * `remediations` table is not changed.
 */
export class Campaigns1764400000000 implements MigrationInterface {
  name = 'Campaigns1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200),
        parent_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
        mode varchar(16) NOT NULL CHECK (mode IN ('diagnose','fix')),
        strategy varchar(32) NOT NULL CHECK (strategy IN ('remove-role','configure-licensing')),
        allow_reboot boolean NOT NULL DEFAULT false,
        license_server varchar(253),
        licensing_mode varchar(16) CHECK (licensing_mode IN ('per-user','per-device')),
        tenant_id varchar(64),
        actor jsonb,
        callback_url varchar(2048),
        target_source jsonb NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'running'
          CHECK (state IN ('running','paused','stopping','cancelling','completed','stopped','cancelled')),
        state_reason text,
        input_count int NOT NULL CHECK (input_count >= 0),
        target_count int NOT NULL CHECK (target_count >= 0),
        excluded_count int NOT NULL CHECK (excluded_count >= 0),
        max_concurrency_spec varchar(8) NOT NULL,
        max_concurrency int NOT NULL CHECK (max_concurrency >= 1),
        max_errors_spec varchar(8) NOT NULL,
        max_errors int NOT NULL CHECK (max_errors >= 0),
        max_unreachable_spec varchar(8) NOT NULL,
        max_unreachable int NOT NULL CHECK (max_unreachable >= 0),
        waves jsonb NOT NULL,
        wave_bake_s int NOT NULL DEFAULT 0 CHECK (wave_bake_s >= 0),
        current_wave int NOT NULL DEFAULT 1,
        -- The claim's cursor: targets before it are never pending (the primary key serves the claim).
        next_seq int NOT NULL DEFAULT 0,
        bake_until timestamptz,
        counts jsonb NOT NULL DEFAULT '{}',
        outcomes jsonb NOT NULL DEFAULT '{}',
        failures int NOT NULL DEFAULT 0,
        unreachable int NOT NULL DEFAULT 0,
        stop jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    // The scheduler's safety pass looks only at campaigns that can still change.
    await q.query(`CREATE INDEX ix_campaigns_active ON campaigns (id) WHERE state IN ('running','paused','stopping','cancelling')`);
    await q.query(`CREATE INDEX ix_campaigns_created ON campaigns (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_campaigns_parent ON campaigns (parent_id) WHERE parent_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE campaign_targets (
        -- No foreign keys on this table: a row-level FK check per target costs about 1 s for
        -- 100,000 targets at creation. Targets are only inserted in the transaction that creates
        -- their campaign, and campaigns and remediations are never deleted.
        campaign_id uuid NOT NULL,
        seq int NOT NULL,
        instance_id varchar(32) NOT NULL,
        region varchar(32) NOT NULL,
        tenant_id varchar(64),
        state varchar(16) NOT NULL CHECK (state IN ('pending','running','parked','approved','done','excluded')),
        wave int,
        outcome varchar(16) CHECK (outcome IN ('fixed','already_healthy','diagnosed','refused','failed','timed_out','unreachable','cancelled','skipped','not_started')),
        reason varchar(64),
        remediation_id uuid,
        attempt int NOT NULL DEFAULT 1 CHECK (attempt >= 1),
        -- The instance's inventory tags at creation (exclusion filters match them).
        tags jsonb,
        harvest_due boolean NOT NULL DEFAULT false,
        approval_requested_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (campaign_id, seq),
        CONSTRAINT ck_campaign_targets_outcome CHECK ((state IN ('done','excluded')) = (outcome IS NOT NULL))
      )`);
    // The claim reads the primary key from campaigns.next_seq on: no second index to fill while
    // 100,000 targets are written at creation.
    // Harvest and the cap: started targets whose remediation may have moved.
    await q.query(`CREATE INDEX ix_campaign_targets_started ON campaign_targets (campaign_id, state) WHERE state IN ('running','parked','approved') OR harvest_due`);
    await q.query(`CREATE UNIQUE INDEX uq_campaign_targets_remediation ON campaign_targets (remediation_id) WHERE remediation_id IS NOT NULL`);
    // Rate over the last minutes, and the report's time order.
    await q.query(`CREATE INDEX ix_campaign_targets_finished ON campaign_targets (campaign_id, finished_at) WHERE finished_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE campaign_waves (
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        wave int NOT NULL CHECK (wave >= 1),
        spec varchar(8) NOT NULL,
        cumulative int NOT NULL CHECK (cumulative >= 0),
        size int NOT NULL CHECK (size >= 0),
        started int NOT NULL DEFAULT 0,
        finished int NOT NULL DEFAULT 0,
        ok int NOT NULL DEFAULT 0,
        errors int NOT NULL DEFAULT 0,
        unreachable int NOT NULL DEFAULT 0,
        started_at timestamptz,
        done_at timestamptz,
        PRIMARY KEY (campaign_id, wave),
        CHECK (started <= size AND finished <= started)
      )`);

    await q.query(`
      CREATE TABLE campaign_events (
        id bigserial PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        type varchar(48) NOT NULL,
        message text NOT NULL,
        data jsonb,
        actor jsonb
      )`);
    await q.query(`CREATE INDEX ix_campaign_events_campaign ON campaign_events (campaign_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_events`);
    await q.query(`DROP TABLE campaign_waves`);
    await q.query(`DROP TABLE campaign_targets`);
    await q.query(`DROP TABLE campaigns`);
  }
}
