import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The regions a campaign's targets are in, frozen at creation like the targets: the campaign view
 * shows the channel call budget of every one of them, including regions whose targets start late
 * (the view looked only at the targets in flight and the next 500 to start). Existing campaigns
 * get theirs from their targets.
 */
export class CampaignRegions1764570000000 implements MigrationInterface {
  name = 'CampaignRegions1764570000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns ADD COLUMN regions varchar(32)[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `UPDATE campaigns c SET regions = ARRAY(SELECT DISTINCT t.region FROM campaign_targets t
         WHERE t.campaign_id = c.id AND t.state <> 'excluded' ORDER BY 1)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns DROP COLUMN regions`);
  }
}
