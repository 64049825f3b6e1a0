import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RemediationEntity } from '@rdpfix/persistence';
import type { RemediationListener } from '@rdpfix/remediation';
import { CampaignWaker } from './campaign-waker';

/**
 * Wakes a campaign's scheduler when one of its remediations finishes or parks for approval.
 * One indexed lookup per campaign remediation; targets the scheduler does not read on every tick
 * (parked, approved) are flagged so the next tick looks at them.
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
    const rows: { campaign_id: string; state: string }[] = await this.ds.query(`SELECT campaign_id, state FROM campaign_targets WHERE remediation_id = $1`, [r.id]);
    const t = rows[0];
    if (!t) return;
    if (t.state !== 'running') await this.ds.query(`UPDATE campaign_targets SET harvest_due = true WHERE remediation_id = $1 AND NOT harvest_due`, [r.id]);
    await this.waker.wake(t.campaign_id);
  }
}
