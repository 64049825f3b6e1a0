import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery, RemediationEntity } from '@rdpfix/persistence';
import type { RemediationListener } from '@rdpfix/remediation';
import { CampaignWaker } from './campaign-waker';

/**
 * Tells a campaign what its remediations did, and wakes its scheduler:
 * - finished or parked for approval: its target is flagged (harvest_due), and the next tick reads
 *   the flagged targets only;
 * - held a change at its gate: its target is marked `held` (the claim opens held gates);
 * - a change succeeded on a target whose gate is open: its wave's `changes_ok` grows (the ramp).
 * The last two write no flag, so they cost one row update per hold and none per change (at
 * 100,000 targets, flagging each change doubled the updates of campaign_targets). Remediations
 * reported in the same turn of the event loop share one statement per kind.
 */
@Injectable()
export class CampaignListener implements RemediationListener {
  constructor(
    private readonly ds: DataSource,
    private readonly waker: CampaignWaker,
  ) {}

  private readonly flags = new TurnBatch((ids) => this.flag(ids));
  private readonly holds = new TurnBatch((ids) => this.run(HELD_SQL, ids));
  private readonly changes = new TurnBatch((ids) => this.run(CHANGED_SQL, ids));

  async onFinished(r: RemediationEntity): Promise<void> {
    if (r.source === 'campaign') await this.flags.add(r.id);
  }

  async onAwaitingApproval(r: RemediationEntity): Promise<void> {
    if (r.source === 'campaign') await this.flags.add(r.id);
  }

  /** Held at its change gate: the campaign may have a ramp slot for it now. */
  async onHeld(r: RemediationEntity): Promise<void> {
    if (r.source === 'campaign') await this.holds.add(r.id);
  }

  /** A change succeeded on its server: the ramp may open further. */
  async onChanged(r: RemediationEntity): Promise<void> {
    if (r.source === 'campaign') await this.changes.add(r.id);
  }

  /** The harvest flags of remediations that finished or parked (a fault test replaces this method). */
  private async flag(remediationIds: string[]): Promise<void> {
    await this.run(FLAG_SQL, remediationIds);
  }

  /** Each statement runs after the remediations' own changes committed, so a tick that it wakes reads them. */
  private async run(sql: string, remediationIds: string[]): Promise<void> {
    const rows = await preparedQuery<{ campaign_id: string }>(this.ds, sql, [remediationIds]);
    for (const t of rows) await this.waker.wake(t.campaign_id);
  }
}

/**
 * Ids reported in the same turn of the event loop, handed to `flush` together. Each caller joins
 * only a statement that has not started, so its own change is committed before it.
 */
class TurnBatch {
  private pending: string[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly flush: (ids: string[]) => Promise<void>) {}

  add(id: string): Promise<void> {
    this.pending.push(id);
    this.flushing ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const ids = this.pending;
        this.pending = [];
        this.flushing = undefined;
        this.flush(ids).then(resolve, reject);
      }),
    );
    return this.flushing;
  }
}

const FLAG_SQL = `WITH t AS (SELECT campaign_id, seq FROM campaign_targets WHERE remediation_id = ANY($1::uuid[])),
       f AS (UPDATE campaign_targets c SET harvest_due = true FROM t WHERE c.campaign_id = t.campaign_id AND c.seq = t.seq AND NOT c.harvest_due)
  SELECT DISTINCT campaign_id FROM t`;

const HELD_SQL = `WITH t AS (UPDATE campaign_targets SET change_gate = 'held'
                    WHERE remediation_id = ANY($1::uuid[]) AND state = 'running' AND change_gate = 'closed' RETURNING campaign_id)
  SELECT DISTINCT campaign_id FROM t`;

/** One per report (a remediation reported twice in a turn counts twice: two changes). */
const CHANGED_SQL = `WITH x AS (SELECT t.campaign_id, t.wave, count(*)::int AS n
                      FROM unnest($1::uuid[]) AS u(id) JOIN campaign_targets t ON t.remediation_id = u.id
                     WHERE t.change_gate = 'open' AND t.wave IS NOT NULL GROUP BY 1, 2),
       w AS (UPDATE campaign_waves w SET changes_ok = w.changes_ok + x.n FROM x WHERE w.campaign_id = x.campaign_id AND w.wave = x.wave)
  SELECT DISTINCT campaign_id FROM x`;
