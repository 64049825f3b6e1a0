import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { INVENTORY, Inventory } from '@rdpfix/channel';
import { RemediationEntity } from '@rdpfix/persistence';
import { StepOutcome } from '../step-outcome';
import { LifecycleStepData } from './remediation-ending';

/**
 * After an approval, before the next change is sent, the worker asks the live inventory once more
 * whether the instance still belongs to the remediation's tenant and region (issue 9: the API
 * checked at approve time; hours may pass between). Recorded once per approval in stepData.
 */
@Injectable()
export class OwnershipRecheck {
  constructor(
    private readonly config: AppConfig,
    @Inject(INVENTORY) private readonly inventory: Inventory,
  ) {}

  /** null: carry on. Otherwise what to do instead (wait for the inventory, mark checked, or stop). */
  async afterApproval(r: RemediationEntity): Promise<StepOutcome | null> {
    if (!r.approvedAt || (r.step !== 'apply' && r.step !== 'reboot' && r.step !== 'diagnose' && r.step !== 'plan')) return null;
    const sd = r.stepData as LifecycleStepData;
    const approvedAt = r.approvedAt.toISOString();
    if (sd.ownerCheckedAt === approvedAt) return null;
    let owner;
    try {
      owner = await this.inventory.find(r.instanceId);
    } catch {
      return { kind: 'wait', ms: this.config.POLL_INTERVAL_MS }; // unknown is not "still owned"
    }
    if (!owner || owner.region !== r.region || (r.tenantId !== null && owner.tenantId !== r.tenantId)) {
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'instance_not_found',
        detail: `${r.instanceId} no longer belongs to ${r.tenantId ? `tenant ${r.tenantId}` : 'the tenant it was approved for'} in ${r.region}; nothing more was sent to it after the approval.`,
      };
    }
    return {
      kind: 'advance',
      patch: { stepData: { ...sd, ownerCheckedAt: approvedAt } as LifecycleStepData },
      event: { type: 'owner_rechecked', message: 'after the approval, the inventory still shows the instance with its tenant' },
    };
  }
}
