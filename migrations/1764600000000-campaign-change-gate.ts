import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ramp gates changes, not looks (docs/campaigns.md "The ramp gates changes"): a fix
 * campaign's target started ahead of the ramp is diagnosed at once but may not change its server
 * until the ramp gives it a slot. `change_gate` says where a started target is: `open` (it may
 * change its server: every target before this migration), `closed` (started ahead, not yet
 * diagnosed) or `held` (diagnosed, a change waits for a slot). The ramp of a wave now grows with
 * `cleared_ok`: its targets that ended without an error after the gate let them change. Held
 * targets are found by a partial index, so releasing them reads only what waits.
 */
export class CampaignChangeGate1764600000000 implements MigrationInterface {
  name = 'CampaignChangeGate1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaign_targets ADD COLUMN change_gate varchar(8) NOT NULL DEFAULT 'open' CHECK (change_gate IN ('open','closed','held'))`,
    );
    await q.query(
      `ALTER TABLE campaign_waves
         ADD COLUMN cleared_ok int NOT NULL DEFAULT 0 CHECK (cleared_ok >= 0),
         ADD COLUMN fixed_ok int NOT NULL DEFAULT 0 CHECK (fixed_ok >= 0),
         ADD COLUMN changes_ok int NOT NULL DEFAULT 0 CHECK (changes_ok >= 0)`,
    );
    // Existing waves keep the ramp they had: every target they ended was open.
    await q.query(`UPDATE campaign_waves SET cleared_ok = ok`);
    await q.query(`CREATE INDEX campaign_targets_held ON campaign_targets (campaign_id, seq) WHERE state = 'running' AND change_gate = 'held'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX campaign_targets_held`);
    await q.query(`ALTER TABLE campaign_waves DROP COLUMN cleared_ok, DROP COLUMN fixed_ok, DROP COLUMN changes_ok`);
    await q.query(`ALTER TABLE campaign_targets DROP COLUMN change_gate`);
  }
}
