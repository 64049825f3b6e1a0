import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { buildRollbackPlan, Plan, planRemediation, PlanRequest } from '@rdpfix/domain';
import { RemediationEntity, RemediationRepository } from '@rdpfix/persistence';
import { StepHandler, StepOutcome } from '../step-outcome';
import { gateDecision, heldLookMs } from './change-gate';

type ActPlan = Extract<Plan, { decision: 'act' }>;

/** The planner's request, from the row. */
export function planRequestOf(r: RemediationEntity): PlanRequest {
  return {
    mode: r.mode === 'rollback' ? 'fix' : r.mode,
    strategy: r.strategy,
    allowReboot: r.allowReboot,
    licenseServer: r.licenseServer,
    licensingMode: r.licensingMode,
    symptom: r.symptom ?? null,
    symptomAccount: r.symptomAccount ?? null,
    removeRoleDespiteLicensing: r.removeRoleDespiteLicensing === true,
  };
}

/** Two act plans do the same thing to the server (the approval covers exactly that). */
function sameChanges(a: ActPlan, b: ActPlan): boolean {
  return JSON.stringify(a.actions) === JSON.stringify(b.actions) && a.needsReboot === b.needsReboot;
}

/**
 * Step 3: the pure planner decides; `diagnose` mode ends here with the plan as its preview.
 * Consent first (issue 7): a plan that needs a restart without allowReboot parks in
 * awaiting_approval HERE, before anything changes; the approval covers the change and the restart
 * together. After the approval the server is diagnosed again and the plan must still be the one
 * that was approved, or nothing is done.
 */
@Injectable()
export class PlanStep implements StepHandler {
  readonly step = 'plan' as const;

  constructor(
    private readonly config: AppConfig,
    private readonly remediations: RemediationRepository,
  ) {}

  async run(r: RemediationEntity, now: Date): Promise<StepOutcome> {
    if (r.mode === 'rollback') return this.planRollback(r);
    const sd = r.stepData;
    if (r.approvedAt && !sd.rediagnosed && r.plan) {
      // Approved: look at the server again before changing it (the approval may be hours old).
      return {
        kind: 'advance',
        patch: { step: 'diagnose', stepData: { ...sd, diagnoseAttempt: (sd.diagnoseAttempt ?? 1) + 1, rediagnosed: true } },
        event: { type: 'rediagnose', message: 'approved: diagnosing again before the first change' },
      };
    }
    const plan = planRemediation(r.facts!, planRequestOf(r));
    if (plan.decision === 'unsupported') {
      return { kind: 'finish', outcome: 'failed', reason: 'unsupported_os', detail: plan.detail, patch: { plan } };
    }
    if (r.mode === 'diagnose') {
      return { kind: 'finish', outcome: 'diagnosed', reason: null, detail: null, patch: { plan } };
    }

    if (r.approvedAt && sd.rediagnosed) {
      const approved = r.plan as Plan | null;
      if (approved?.decision === 'act' && plan.decision === 'act' && sameChanges(approved, plan)) {
        return this.toApply(r, plan, 'the server still matches the approved plan');
      }
      // The server changed since the approval: do not act on a consent given for another plan.
      if (plan.decision === 'healthy') {
        return { kind: 'finish', outcome: 'already_healthy', detail: 'After the approval the server no longer needed the fix; nothing was changed.', patch: { plan } };
      }
      if (plan.decision === 'refuse') {
        return { kind: 'finish', outcome: 'refused', reason: plan.reason, detail: `After the approval the diagnosis changed, and rdpfix now refuses: ${plan.detail}`, patch: { plan } };
      }
      const was = approved?.decision === 'act' ? approved.actions.map((a) => a.kind).join(', ') || 'restart only' : 'nothing';
      const is = plan.actions.map((a) => a.kind).join(', ') || 'restart only';
      return {
        kind: 'finish',
        outcome: 'refused',
        reason: 'plan_changed',
        detail: `The approved plan was: ${was}${approved?.decision === 'act' && approved.needsReboot ? ' + restart' : ''}. After the approval the server needs: ${is}${plan.needsReboot ? ' + restart' : ''}. Nothing was changed; submit a new request.`,
        patch: { plan },
      };
    }

    if (plan.decision === 'healthy') {
      return { kind: 'finish', outcome: 'already_healthy', detail: 'No cause of ours was found; nothing was changed.', patch: { plan } };
    }
    if (plan.decision === 'refuse') {
      return { kind: 'finish', outcome: 'refused', reason: plan.reason, detail: plan.detail, patch: { plan } };
    }
    if (plan.needsReboot && !r.allowReboot) {
      // Consent first: nothing changes until the plan (change + restart) is approved.
      const expiresAt = new Date(now.getTime() + this.config.APPROVAL_TTL_S * 1000);
      // The whole fix still lies ahead when the approval comes: its deadline starts from there.
      const deadlineAt = new Date(Math.max(r.deadlineAt.getTime(), expiresAt.getTime() + this.config.REMEDIATION_DEADLINE_S * 1000));
      const irreversible = plan.actions.filter((a) => a.kind === 'remove-rdsh-role').map((a) => a.kind);
      return {
        kind: 'park',
        patch: { plan, state: 'awaiting_approval', approvalExpiresAt: expiresAt, deadlineAt },
        event: {
          type: 'approval_required',
          message: `the fix needs a restart: nothing is changed until it is approved (POST /v1/remediations/:id/approve); the approval covers ${plan.actions.map((a) => a.kind).join(', ') || 'completing an earlier role removal'} and the restart`,
          data: { expiresAt: expiresAt.toISOString(), actions: plan.actions, irreversible, restart: true },
        },
      };
    }
    return this.throughGate(r, plan, now);
  }

  /** A campaign target started ahead of its ramp changes nothing until the campaign opens its gate. */
  private throughGate(r: RemediationEntity, plan: ActPlan, now: Date): StepOutcome {
    const sd = r.stepData;
    switch (gateDecision(r, now, this.config.CAMPAIGN_GATE_FRESH_S * 1000)) {
      case 'go':
        return this.toApply(r, plan, null);
      case 'still_held':
        // The campaign opens the gate and advances it at once; this look is only a safety net, so
        // it backs off (a held fleet waiting minutes for its first verified fix costs few wakes).
        return { kind: 'wait', ms: heldLookMs(sd.heldAt, now, this.config.CAMPAIGN_GATE_WAKE_MS) };
      case 'rediagnose':
        return {
          kind: 'advance',
          patch: { step: 'diagnose', stepData: { ...sd, diagnoseAttempt: (sd.diagnoseAttempt ?? 1) + 1, gateRediagnosed: true } },
          event: { type: 'rediagnose', message: `held at the campaign's gate for over ${this.config.CAMPAIGN_GATE_FRESH_S} s: diagnosing again before the first change` },
        };
      case 'hold':
        return {
          kind: 'wait',
          ms: this.config.CAMPAIGN_GATE_WAKE_MS,
          held: true,
          patch: { plan, stepData: { ...sd, changeGate: 'held', heldAt: now.toISOString() } },
          event: {
            type: 'held_at_gate',
            message: `plan: ${plan.actions.length ? `${plan.actions.map((a) => a.kind).join(', ')}${plan.needsReboot ? ' + reboot' : ''}` : 'restart only'}; held until the campaign's ramp has a slot for it (nothing changed yet)`,
            data: { causes: plan.causes, actions: plan.actions, needsReboot: plan.needsReboot },
          },
        };
    }
  }

  private toApply(r: RemediationEntity, plan: ActPlan, why: string | null): StepOutcome {
    return {
      kind: 'advance',
      patch: { plan, step: 'apply', stepData: { ...r.stepData, actionIndex: 0 } },
      event: {
        type: 'planned',
        message: `plan: ${plan.actions.map((a) => a.kind).join(', ')}${plan.needsReboot ? ' + reboot' : ''}${why ? ` (${why})` : ''}`,
        data: { causes: plan.causes, actions: plan.actions, needsReboot: plan.needsReboot, left: plan.left ?? [] },
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
