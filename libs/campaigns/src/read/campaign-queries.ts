import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CampaignNotFoundError } from '../domain/field-error';
import { CampaignEntity } from '../entities';
import { CampaignRepository } from '../persistence/campaign.repository';
import { campaignView } from './campaign-view';

/** Who is reading: null = every tenant; a tenant id = only that tenant's campaigns and targets. */
export type TenantScope = string | null;

const IN_FLIGHT_SHOWN = 20;

/** Read side: a campaign with live progress, and lists. Every query here is O(in flight), not O(targets). */
@Injectable()
export class CampaignQueries {
  constructor(
    private readonly ds: DataSource,
    private readonly campaigns: CampaignRepository,
  ) {}

  async find(id: string, scope: TenantScope, m?: EntityManager): Promise<CampaignEntity> {
    const c = await this.campaigns.findById(id, m);
    if (!c || (scope !== null && c.tenantId !== scope)) throw new CampaignNotFoundError(id);
    return c;
  }

  /**
   * The campaign, rates over the last 1 and 5 minutes, an ETA, and the oldest targets in flight,
   * all read in one snapshot: read one after another, a tick committing in between showed a
   * target finished in the gate counts but still running in the campaign's counts.
   */
  progress(id: string, scope: TenantScope) {
    return this.ds.transaction('REPEATABLE READ', (m) => this.progressIn(m, id, scope));
  }

  private async progressIn(m: EntityManager, id: string, scope: TenantScope) {
    const c = await this.find(id, scope, m);
    const [rate] = await m.query(
      `SELECT count(*) FILTER (WHERE finished_at > now() - interval '1 minute')::int AS m1, count(*)::int AS m5, now() AS now
         FROM campaign_targets WHERE campaign_id = $1 AND finished_at > now() - interval '5 minutes'`,
      [id],
    );
    const inFlight = await m.query(
      // The oldest few first, then the join: a join before the LIMIT read every in-flight
      // target's remediation on every poll (10,000 index scans a second at fleet scale).
      `SELECT t.instance_id, t.region, t.wave, t.remediation_id, t.started_at, r.state, r.step
         FROM (SELECT instance_id, region, wave, remediation_id, started_at, seq FROM campaign_targets
                WHERE campaign_id = $1 AND state = 'running' ${scope !== null ? 'AND tenant_id = $3' : ''}
                ORDER BY started_at, seq LIMIT $2) t
         JOIN remediations r ON r.id = t.remediation_id
        ORDER BY t.started_at, t.seq`,
      scope !== null ? [id, IN_FLIGHT_SHOWN, scope] : [id, IN_FLIGHT_SHOWN],
    );
    // Where the targets in flight stand at the ramp's gate (docs/campaigns.md "The ramp gates changes").
    const [gates] = await m.query(
      `SELECT count(*) FILTER (WHERE change_gate = 'open')::int AS open, count(*) FILTER (WHERE change_gate = 'held')::int AS held,
              count(*) FILTER (WHERE change_gate = 'closed')::int AS closed
         FROM campaign_targets WHERE campaign_id = $1 AND state = 'running'`,
      [id],
    );
    const now = new Date(rate.now).getTime();
    const view = campaignView(c);
    const remaining = c.state === 'running' || c.state === 'paused' ? (view.counts.pending ?? 0) + view.counts.running + view.counts.parked + view.counts.approved : view.counts.running;
    // Per minute over the window actually observed (a campaign younger than 5 minutes is not diluted).
    const since = c.startedAt ? (now - new Date(c.startedAt).getTime()) / 1000 : 0;
    const window5 = Math.max(1, Math.min(300, since));
    const perSecond = rate.m5 / window5;
    const etaSeconds = remaining === 0 ? 0 : perSecond > 0 && c.state !== 'paused' ? Math.ceil(remaining / perSecond) : null;
    return {
      ...view,
      progress: {
        rate: { lastMinute: rate.m1, last5MinutesPerMinute: Math.round((rate.m5 / window5) * 60 * 10) / 10 },
        eta: etaSeconds === null ? null : { seconds: etaSeconds, at: new Date(now + etaSeconds * 1000).toISOString() },
        remaining,
        inFlight: {
          count: view.counts.running,
          /** May change their server (their gate is open). */
          changing: gates.open,
          /** Diagnosed; a change waits for a ramp slot. */
          heldAtGate: gates.held,
          /** Started ahead of the ramp, being checked and diagnosed. */
          diagnosingAhead: gates.closed,
          oldest: (inFlight as Record<string, any>[]).map((r) => ({
            instanceId: r.instance_id,
            region: r.region,
            wave: r.wave,
            remediationId: r.remediation_id,
            state: r.state,
            step: r.step,
            startedAt: new Date(r.started_at).toISOString(),
            ageSeconds: Math.max(0, Math.round((now - new Date(r.started_at).getTime()) / 1000)),
          })),
        },
      },
    };
  }

  async list(scope: TenantScope, limit: number, after?: { createdAt: string; id: string }) {
    const rows = await this.campaigns.list({ tenantId: scope, limit: limit + 1, after });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(campaignView),
      nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ c: new Date(last.createdAt).toISOString(), i: last.id })).toString('base64url') : null,
    };
  }
}

export function decodeCampaignCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof v.c !== 'string' || Number.isNaN(Date.parse(v.c))) return null;
    if (typeof v.i !== 'string' || !/^[0-9a-f-]{36}$/i.test(v.i)) return null;
    return { createdAt: v.c, id: v.i };
  } catch {
    return null;
  }
}
