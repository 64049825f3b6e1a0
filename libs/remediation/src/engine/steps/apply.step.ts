import { Injectable } from '@nestjs/common';
import type { Plan, PlanAction, RollbackAction, RollbackPlan } from '@rdpfix/domain';
import { RemediationEntity } from '@rdpfix/persistence';
import { scriptExecutionTimeoutS, type DiagnoseResult, type ScriptResult } from '@rdpfix/runbook';
import { AppConfig } from '@rdpfix/config';
import { changesFromResult, removalAfterTimeoutChange, scriptForAction } from '../action-scripts';
import { CommandRunner } from '../command-runner';
import { describeCommandFailure } from '../command-failure';
import { StepHandler, StepOutcome } from '../step-outcome';

/** Step 4: one fix script per plan action, in order; every changed value is recorded. */
@Injectable()
export class ApplyStep implements StepHandler {
  readonly step = 'apply' as const;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: CommandRunner,
  ) {}

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
    if (st.run.status === 'timed_out' && action.kind === 'remove-rdsh-role') {
      return this.afterRemovalTimeout(r, index, action, st.run.id);
    }
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

  /**
   * The channel stopped remove-rdsh-role at its time limit, but Windows servicing may have gone on
   * (issue 7). Read the feature state (read-only) and report honestly: removed or waiting for the
   * restart → record it and continue to the restart the caller consented to; still installed or
   * unreadable → stop, say a removal may be pending, and restart nothing.
   */
  private async afterRemovalTimeout(r: RemediationEntity, index: number, action: PlanAction | RollbackAction, timedOutRunId: string): Promise<StepOutcome> {
    const limit = scriptExecutionTimeoutS('remove-rdsh-role', this.config.COMMAND_TIMEOUT_S);
    const check = await this.runner.run(r, { step: 'apply', purpose: `apply:${index}:${action.kind}:check`, attempt: 1, script: 'diagnose' });
    if (!check.done) return { kind: 'wait', ms: check.waitMs };
    const res = check.run.result as DiagnoseResult | null;
    const facts = check.run.status === 'succeeded' && res?.ok ? res.facts : null;
    const head = `remove-rdsh-role did not finish within its ${limit} s time limit and was stopped by the command channel.`;
    if (!facts || facts.rdsh.installed === null || facts.rdsh.removalPending === null) {
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'role_removal_unfinished',
        detail: `${head} The RD Session Host feature state could not be read afterwards, so a removal may be pending: Windows servicing can finish it in the background, and it then takes effect at the next restart, which rdpfix did not make. Run a diagnosis later.`,
      };
    }
    if (facts.rdsh.removalPending || !facts.rdsh.installed) {
      const changes = [...r.changes, removalAfterTimeoutChange(facts, timedOutRunId, new Date())];
      return {
        kind: 'advance',
        patch: { changes, stepData: { ...r.stepData, actionIndex: index + 1 } },
        event: {
          type: 'change_applied',
          message: `${head} Windows servicing completed it: the role reads as ${facts.rdsh.removalPending ? 'removed, waiting for a restart' : 'removed'}; continuing to the approved restart`,
          data: { action, rdsh: facts.rdsh, timedOut: true },
        },
      };
    }
    return {
      kind: 'finish',
      outcome: 'failed',
      reason: 'role_removal_unfinished',
      detail: `${head} Afterwards the RD Session Host feature still reads as installed and not yet waiting for a restart. Windows servicing may still be removing it in the background; if so, the removal takes effect at the next restart, which rdpfix did not make. Run a diagnosis later: "removal pending" then means a restart completes it.`,
    };
  }
}
