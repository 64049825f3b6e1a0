import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery, RemediationEntity } from '@rdpfix/persistence';
import type { RemediationListener } from '@rdpfix/remediation';
import { CampaignWaker } from './campaign-waker';

/**
 * Wakes a campaign's scheduler when one of its remediations finishes, parks for approval, holds
 * a change at its gate, or has a change succeed.
 * Its target is flagged (harvest_due), and the next tick reads the flagged targets only; the
 * remediations that end together are flagged in one statement.
 */
@Injectable()
export class CampaignListener implements RemediationListener {
  constructor(
    private readonly ds: DataSource,
    private readonly waker: CampaignWaker,
  ) {}

  async onFinished(r: RemediationEntity): Promise<void> {
    await this.wakeFor(r);
  }

  async onAwaitingApproval(r: RemediationEntity): Promise<void> {
    await this.wakeFor(r);
  }

  /** Held at its change gate: the campaign may have a ramp slot for it now. */
  async onHeld(r: RemediationEntity): Promise<void> {
    await this.wakeFor(r);
  }

  /** A change succeeded on its server: the ramp may open further. */
  async onChanged(r: RemediationEntity): Promise<void> {
    await this.wakeFor(r);
  }

  /** Remediations waiting for the next flag statement, and its promise (not started yet). */
  private pending: string[] = [];
  private flush?: Promise<void>;

  private wakeFor(r: RemediationEntity): Promise<void> {
    if (r.source !== 'campaign') return Promise.resolve();
    // Remediations ending in the same turn of the event loop share one statement. Each caller
    // joins only a statement that has not started, so its own change is committed before it.
    this.pending.push(r.id);
    this.flush ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const ids = this.pending;
        this.pending = [];
        this.flush = undefined;
        this.flag(ids).then(resolve, reject);
      }),
    );
    return this.flush;
  }

  private async flag(remediationIds: string[]): Promise<void> {
    // The flag is raised after the remediations' own changes committed, so a tick that reads the
    // flag also reads those changes.
    const rows = await preparedQuery<{ campaign_id: string }>(
      this.ds,
      `WITH t AS (SELECT campaign_id, seq FROM campaign_targets WHERE remediation_id = ANY($1::uuid[])),
            f AS (UPDATE campaign_targets c SET harvest_due = true FROM t WHERE c.campaign_id = t.campaign_id AND c.seq = t.seq AND NOT c.harvest_due)
       SELECT DISTINCT campaign_id FROM t`,
      [remediationIds],
    );
    for (const t of rows) await this.waker.wake(t.campaign_id);
  }
}
