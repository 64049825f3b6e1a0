import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign webhooks reuse webhook_deliveries: a delivery belongs to a remediation or to a
 * campaign event (event_key = the campaign_events id), and is signed with the secret of the key
 * that created the campaign (signer_key_id).
 */
export class CampaignWebhooks1764400000100 implements MigrationInterface {
  name = 'CampaignWebhooks1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries ALTER COLUMN remediation_id DROP NOT NULL`);
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN event_key varchar(64)`);
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN signer_key_id uuid`);
    await q.query(
      `ALTER TABLE webhook_deliveries ADD CONSTRAINT ck_webhook_deliveries_subject
         CHECK ((remediation_id IS NOT NULL AND campaign_id IS NULL) OR (remediation_id IS NULL AND campaign_id IS NOT NULL AND event_key IS NOT NULL))`,
    );
    // One delivery per campaign event, even if it is recorded twice.
    await q.query(`CREATE UNIQUE INDEX uq_webhook_deliveries_campaign_event ON webhook_deliveries (campaign_id, event_key) WHERE campaign_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM webhook_deliveries WHERE campaign_id IS NOT NULL`);
    await q.query(`DROP INDEX uq_webhook_deliveries_campaign_event`);
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT ck_webhook_deliveries_subject`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN signer_key_id`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN event_key`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN campaign_id`);
    await q.query(`ALTER TABLE webhook_deliveries ALTER COLUMN remediation_id SET NOT NULL`);
  }
}
