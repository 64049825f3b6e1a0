import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a wave's start cohorts need (docs/campaigns.md "Start cohorts"): how long its targets took
 * (the count of the remediations that ended, the sum of their run times and of their squares, so
 * both the mean and the time-weighted mean are one division), and when it last started targets. Existing waves start with no figures: their next starts go at once.
 */
export class CampaignWaveCohorts1764590000000 implements MigrationInterface {
  name = 'CampaignWaveCohorts1764590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaign_waves
         ADD COLUMN run_ms_sum bigint NOT NULL DEFAULT 0 CHECK (run_ms_sum >= 0),
         ADD COLUMN runs_timed int NOT NULL DEFAULT 0 CHECK (runs_timed >= 0),
         ADD COLUMN run_s2_sum double precision NOT NULL DEFAULT 0 CHECK (run_s2_sum >= 0),
         ADD COLUMN last_start_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaign_waves DROP COLUMN run_ms_sum, DROP COLUMN runs_timed, DROP COLUMN run_s2_sum, DROP COLUMN last_start_at`);
  }
}
