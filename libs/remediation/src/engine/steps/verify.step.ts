import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { evaluateVerification, Plan, RollbackPlan, verifyRollback } from '@rdpfix/domain';
import { RemediationEntity } from '@rdpfix/persistence';
import type { DiagnoseResult } from '@rdpfix/runbook';
import { CommandRunner } from '../command-runner';
import { describeCommandFailure } from '../command-failure';
import { StepHandler, StepOutcome } from '../step-outcome';

const MAX_VERIFY_ATTEMPTS = 20;

/**
 * Step 6: the read-only verify script proves the cause is gone, TermService runs, the listener
 * is up, and (after a reboot) the boot time changed. Anything less ends as verification_failed.
 */
@Injectable()
export class VerifyStep implements StepHandler {
  readonly step = 'verify' as const;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: CommandRunner,
  ) {}

  async run(r: RemediationEntity, now: Date): Promise<StepOutcome> {
    const attempt = r.stepData.verifyAttempt ?? 1;
    const st = await this.runner.run(r, { step: 'verify', purpose: 'verify', attempt, script: 'verify' });
    if (!st.done) return { kind: 'wait', ms: st.waitMs };
    const result = st.run.result as DiagnoseResult | null;
    const rebootWindowOpen = r.rebooted && r.stepData.rebootDeadlineAt && now < new Date(r.stepData.rebootDeadlineAt);
    if (st.run.status !== 'succeeded' || !result || !result.ok) {
      // Right after a reboot the agent can be flaky: try again inside the reboot window.
      if (rebootWindowOpen && attempt < MAX_VERIFY_ATTEMPTS && st.run.status !== 'succeeded') {
        return this.retry(r, attempt, 'verify did not complete after the reboot; trying again');
      }
      const f = result && !result.ok ? { reason: 'command_failed', detail: `verify could not run: ${result.error}` } : describeCommandFailure(st.run);
      return { kind: 'finish', outcome: 'failed', reason: f.reason, detail: f.detail };
    }
    const after = result.facts;
    if (r.rebooted && r.bootTimeBefore && new Date(after.bootTime).getTime() === r.bootTimeBefore.getTime()) {
      if (rebootWindowOpen && attempt < MAX_VERIFY_ATTEMPTS) return this.retry(r, attempt, 'boot time unchanged: the restart has not happened yet');
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'reboot_not_observed',
        detail: `The boot time is still ${after.bootTime}: the server did not restart within ${this.config.REBOOT_DEADLINE_S}s.`,
      };
    }
    if (r.mode === 'rollback') {
      const v = verifyRollback(r.plan as Extract<RollbackPlan, { decision: 'rollback' }>, after);
      if (v.passed) return { kind: 'finish', outcome: 'rolled_back', detail: 'The recorded values were put back and read back as before the fix.', patch: { verification: v } };
      const failed = v.checks.filter((c) => !c.passed).map((c) => c.detail);
      return { kind: 'finish', outcome: 'failed', reason: 'verification_failed', detail: `Rollback did not verify — ${failed.join('; ')}`, patch: { verification: v } };
    }
    const verification = evaluateVerification({
      before: r.facts!,
      after,
      plan: r.plan as Extract<Plan, { decision: 'act' }>,
      rebooted: r.rebooted,
    });
    if (verification.passed) {
      return { kind: 'finish', outcome: 'fixed', detail: 'Verified: the cause is gone, TermService is running and the RDP listener is up.', patch: { verification } };
    }
    const failed = verification.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    return { kind: 'finish', outcome: 'failed', reason: 'verification_failed', detail: `Verification failed — ${failed.join('; ')}`, patch: { verification } };
  }

  private retry(r: RemediationEntity, attempt: number, message: string): StepOutcome {
    return {
      kind: 'wait',
      ms: this.config.POLL_INTERVAL_MS,
      patch: { stepData: { ...r.stepData, verifyAttempt: attempt + 1 } },
      event: { type: 'verify_retry', message },
    };
  }
}
