import { Injectable } from '@nestjs/common';
import type { Plan, RollbackPlan } from '@rdpfix/domain';
import { RemediationEntity } from '@rdpfix/persistence';
import type { ScriptResult } from '@rdpfix/runbook';
import { changesFromResult, scriptForAction } from '../action-scripts';
import { CommandRunner } from '../command-runner';
import { describeCommandFailure } from '../command-failure';
import { StepHandler, StepOutcome } from '../step-outcome';

/** Step 4: one fix script per plan action, in order; every changed value is recorded. */
@Injectable()
export class ApplyStep implements StepHandler {
  readonly step = 'apply' as const;

  constructor(private readonly runner: CommandRunner) {}

  async run(r: RemediationEntity): Promise<StepOutcome> {
    const plan = r.plan as Extract<Plan, { decision: 'act' }> | Extract<RollbackPlan, { decision: 'rollback' }>;
    const needsReboot = plan.decision === 'act' && plan.needsReboot;
    const index = r.stepData.actionIndex ?? 0;
    if (index >= plan.actions.length) {
      return {
        kind: 'advance',
        patch: { step: needsReboot ? 'reboot' : 'verify', stepData: { ...r.stepData } },
        event: { type: 'applied', message: `all ${plan.actions.length} change(s) applied` },
      };
    }
    const action = plan.actions[index];
    const spec = scriptForAction(action);
    const purpose = `apply:${index}:${action.kind}`;
    // A cancel is honoured between changes, never in the middle of one: a change already sent
    // runs to its end so that its before/after values are recorded.
    if (r.cancelRequested && !(await this.runner.hasStarted(r, purpose, 1))) {
      return { kind: 'finish', outcome: 'cancelled', detail: `Cancelled after ${index} of ${plan.actions.length} change(s); see changes for what was done.` };
    }
    const st = await this.runner.run(r, { step: 'apply', purpose, attempt: 1, script: spec.script, params: spec.params });
    if (!st.done) return { kind: 'wait', ms: st.waitMs };
    const result = st.run.result as ScriptResult | null;
    if (st.run.status !== 'succeeded' || !result) {
      const f = describeCommandFailure(st.run);
      return { kind: 'finish', outcome: 'failed', reason: f.reason, detail: f.detail };
    }
    if (!result.ok) {
      return { kind: 'finish', outcome: 'failed', reason: 'command_failed', detail: `${spec.script} refused or failed on the server: ${result.error ?? 'no reason given'}` };
    }
    const changes = [...r.changes, ...changesFromResult(action, result, st.run.id, new Date())];
    return {
      kind: 'advance',
      patch: { changes, stepData: { ...r.stepData, actionIndex: index + 1 } },
      event: { type: 'change_applied', message: `${action.kind} done`, data: { action, result: result as unknown as Record<string, unknown> } },
    };
  }
}
