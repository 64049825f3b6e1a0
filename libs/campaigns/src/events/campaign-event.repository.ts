import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CampaignActor, CampaignEventEntity } from '../entities';
import { runnerOf } from '../persistence/sql-runner';

export interface NewCampaignEvent {
  type: string;
  message: string;
  data?: Record<string, unknown> | null;
  actor?: CampaignActor | null;
}

/** A campaign's timeline. Events are written in the same transaction as the change they record. */
@Injectable()
export class CampaignEventRepository {
  constructor(private readonly ds: DataSource) {}

  async append(m: EntityManager, campaignId: string, events: NewCampaignEvent[]): Promise<CampaignEventEntity[]> {
    if (events.length === 0) return [];
    const rows = await runnerOf(m)(
      `INSERT INTO campaign_events (campaign_id, type, message, data, actor)
       SELECT $1, e.type, e.message, e.data, e.actor FROM jsonb_to_recordset($2::jsonb) AS e(type text, message text, data jsonb, actor jsonb)
       RETURNING id, campaign_id, at, type, message, data, actor`,
      [campaignId, JSON.stringify(events.map((e) => ({ type: e.type, message: e.message, data: e.data ?? null, actor: e.actor ?? null })))],
    );
    return rows.map(toEntity);
  }

  async listAfter(campaignId: string, afterId: string | undefined, limit = 200): Promise<CampaignEventEntity[]> {
    const rows = await this.ds.query(
      `SELECT id, campaign_id, at, type, message, data, actor FROM campaign_events
        WHERE campaign_id = $1 AND ($2::bigint IS NULL OR id > $2::bigint) ORDER BY id LIMIT $3`,
      [campaignId, afterId ?? null, limit],
    );
    return (rows as Record<string, unknown>[]).map(toEntity);
  }

  /**
   * Webhook-worthy events older than `graceMs` whose delivery row was never written (the worker
   * died between commit and enqueue), for campaigns with a callback URL.
   */
  async listUndelivered(types: readonly string[], graceMs: number, limit: number): Promise<CampaignEventEntity[]> {
    const rows = await this.ds.query(
      `SELECT e.id, e.campaign_id, e.at, e.type, e.message, e.data, e.actor
         FROM campaign_events e JOIN campaigns c ON c.id = e.campaign_id
        WHERE c.callback_url IS NOT NULL AND e.type = ANY($1::text[])
          AND e.at < now() - ($2::int * interval '1 millisecond') AND e.at > now() - interval '6 hours'
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.campaign_id = e.campaign_id AND d.event_key = e.id::text)
        ORDER BY e.id LIMIT $3`,
      [types, graceMs, limit],
    );
    return (rows as Record<string, unknown>[]).map(toEntity);
  }
}

/** This campaign's webhook-worthy events without a delivery row yet (few per campaign: state changes only). */
export async function listUndeliveredFor(ds: DataSource | EntityManager, campaignId: string, types: readonly string[]): Promise<CampaignEventEntity[]> {
  const rows = await ds.query(
    `SELECT e.id, e.campaign_id, e.at, e.type, e.message, e.data, e.actor FROM campaign_events e
      WHERE e.campaign_id = $1 AND e.type = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.campaign_id = e.campaign_id AND d.event_key = e.id::text)
      ORDER BY e.id`,
    [campaignId, types],
  );
  return (rows as Record<string, unknown>[]).map(toEntity);
}

function toEntity(r: Record<string, unknown>): CampaignEventEntity {
  const e = new CampaignEventEntity();
  e.id = String(r.id);
  e.campaignId = r.campaign_id as string;
  e.at = r.at as Date;
  e.type = r.type as string;
  e.message = r.message as string;
  e.data = (r.data as Record<string, unknown> | null) ?? null;
  e.actor = (r.actor as CampaignActor | null) ?? null;
  return e;
}
