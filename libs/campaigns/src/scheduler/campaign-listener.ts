import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery, RemediationEntity } from '@rdpfix/persistence';
import type { RemediationListener } from '@rdpfix/remediation';
import { CampaignWaker } from './campaign-waker';

/**
 * Wakes a campaign's scheduler when one of its remediations finishes or parks for approval.
 * One statement per campaign remediation: its target is flagged (harvest_due), and the next tick
 * reads the flagged targets only.
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

  private async wakeFor(r: RemediationEntity): Promise<void> {
    if (r.source !== 'campaign') return;
    // The flag is raised after the remediation's own change committed, so a tick that reads the
    // flag also reads that change.
    const rows = await preparedQuery<{ campaign_id: string }>(
      this.ds,
      `WITH t AS (SELECT campaign_id, seq FROM campaign_targets WHERE remediation_id = $1),
            f AS (UPDATE campaign_targets c SET harvest_due = true FROM t WHERE c.campaign_id = t.campaign_id AND c.seq = t.seq AND NOT c.harvest_due)
       SELECT campaign_id FROM t`,
      [r.id],
    );
    const t = rows[0];
    if (!t) return;
    await this.waker.wake(t.campaign_id);
  }
}
