import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A campaign tick reads only the targets whose remediation was flagged as moved (harvest_due),
 * not every target in flight: at 100,000 in flight, reading them all on every tick was the
 * scheduler's whole cost. The full pass (every few sweeps) still reads them all.
 */
export class HarvestDueIndex1764550000000 implements MigrationInterface {
  name = 'HarvestDueIndex1764550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_campaign_targets_harvest_due ON campaign_targets (campaign_id, seq) WHERE harvest_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_campaign_targets_harvest_due`);
  }
}
