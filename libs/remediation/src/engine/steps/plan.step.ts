import { Injectable } from '@nestjs/common';
import { buildRollbackPlan, planRemediation } from '@rdpfix/domain';
import { RemediationEntity, RemediationRepository } from '@rdpfix/persistence';
import { StepHandler, StepOutcome } from '../step-outcome';

/** Step 3: the pure planner decides; `diagnose` mode ends here with the plan as its preview. */
@Injectable()
export class PlanStep implements StepHandler {
  readonly step = 'plan' as const;

  constructor(private readonly remediations: RemediationRepository) {}

  async run(r: RemediationEntity): Promise<StepOutcome> {
    if (r.mode === 'rollback') return this.planRollback(r);
    const plan = planRemediation(r.facts!, {
      mode: r.mode,
      strategy: r.strategy,
      allowReboot: r.allowReboot,
      licenseServer: r.licenseServer,
      licensingMode: r.licensingMode,
    });
    if (plan.decision === 'unsupported') {
      return { kind: 'finish', outcome: 'failed', reason: 'unsupported_os', detail: plan.detail, patch: { plan } };
    }
    if (r.mode === 'diagnose') {
      return { kind: 'finish', outcome: 'diagnosed', reason: null, detail: null, patch: { plan } };
    }
    if (plan.decision === 'healthy') {
      return { kind: 'finish', outcome: 'already_healthy', detail: 'Neither cause was found; nothing was changed.', patch: { plan } };
    }
    if (plan.decision === 'refuse') {
      return { kind: 'finish', outcome: 'refused', reason: plan.reason, detail: plan.detail, patch: { plan } };
    }
    return {
      kind: 'advance',
      patch: { plan, step: 'apply', stepData: { ...r.stepData, actionIndex: 0 } },
      event: {
        type: 'planned',
        message: `plan: ${plan.actions.map((a) => a.kind).join(', ')}${plan.needsReboot ? ' + reboot' : ''}`,
        data: { causes: plan.causes, actions: plan.actions, needsReboot: plan.needsReboot },
      },
    };
  }
  /** A rollback plans from the original's recorded changes and the server's state now. */
  private async planRollback(r: RemediationEntity): Promise<StepOutcome> {
    const original = r.rollbackOf ? await this.remediations.findById(r.rollbackOf) : null;
    const plan = buildRollbackPlan(original?.changes ?? [], r.facts!);
    if (plan.decision === 'refuse') {
      return { kind: 'finish', outcome: 'refused', reason: plan.reason, detail: plan.detail, patch: { plan } };
    }
    return {
      kind: 'advance',
      patch: { plan, step: 'apply', stepData: { ...r.stepData, actionIndex: 0 } },
      event: { type: 'planned', message: `rollback: ${plan.actions.map((a) => a.kind).join(', ')}`, data: { actions: plan.actions } },
    };
  }
}
