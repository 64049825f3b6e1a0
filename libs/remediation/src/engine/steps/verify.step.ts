import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { bootTimeChanged, DiagnosisFacts, evaluateVerification, Plan, RollbackPlan, verifyRollback } from '@rdpfix/domain';
import { RemediationEntity } from '@rdpfix/persistence';
import type { DiagnoseResult } from '@rdpfix/runbook';
import { CommandRunner } from '../command-runner';
import { describeCommandFailure } from '../command-failure';
import { StepHandler, StepOutcome } from '../step-outcome';

/** Verify attempts after a restart; the reboot window (REBOOT_DEADLINE_S) bounds them too. */
const MAX_VERIFY_ATTEMPTS = 60;

/**
 * Why a post-restart verify should look again instead of deciding now (issue 7): the agent is
 * often back before TermService and the RDP-Tcp listener, and before the new boot time shows.
 */
export function notReadyAfterRestart(after: DiagnosisFacts, bootTimeBefore: Date | null): string | null {
  if (bootTimeBefore && !bootTimeChanged(bootTimeBefore, after.bootTime)) return 'boot time unchanged: the restart has not happened yet';
  if (after.termService !== 'running') return `TermService is ${after.termService}`;
  if (after.listener.up !== true) return after.listener.up === null ? 'the RDP-Tcp listener could not be checked yet' : 'the RDP-Tcp listener is not up yet';
  return null;
}

/**
 * Step 6: the read-only verify script proves the configuration: the cause is gone, TermService
 * runs, the listener is up, the firewall admits RDP, after a role removal a free session remains,
 * and (after a reboot) the boot time changed. After a restart it retries within the reboot window
 * until TermService and the listener are up, then decides. Anything less is verification_failed.
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
    const rebootWindowOpen = r.rebooted && !!r.stepData.rebootDeadlineAt && now < new Date(r.stepData.rebootDeadlineAt);
    const mayRetry = rebootWindowOpen && attempt < MAX_VERIFY_ATTEMPTS;
    if (st.run.status !== 'succeeded' || !result || !result.ok) {
      // Right after a reboot the agent can be flaky: try again inside the reboot window.
      if (mayRetry && st.run.status !== 'succeeded') {
        return this.retry(r, attempt, 'verify did not complete after the reboot; trying again');
      }
      const f = result && !result.ok ? { reason: 'command_failed', detail: `verify could not run: ${result.error}` } : describeCommandFailure(st.run);
      return { kind: 'finish', outcome: 'failed', reason: f.reason, detail: f.detail };
    }
    const after = result.facts;
    if (r.rebooted) {
      const waiting = notReadyAfterRestart(after, r.bootTimeBefore);
      if (waiting && mayRetry) return this.retry(r, attempt, `${waiting}; looking again`);
      if (r.bootTimeBefore && !bootTimeChanged(r.bootTimeBefore, after.bootTime)) {
        return {
          kind: 'finish',
          outcome: 'failed',
          reason: 'reboot_not_observed',
          detail: `The boot time is still ${after.bootTime}: the server did not restart within ${this.config.REBOOT_DEADLINE_S}s.`,
        };
      }
    }
    if (r.mode === 'rollback') return this.finishRollback(r, after);
    const plan = r.plan as Extract<Plan, { decision: 'act' }>;
    const verification = evaluateVerification({
      before: r.facts!,
      after,
      plan,
      rebooted: r.rebooted,
      symptom: { symptom: r.symptom ?? null, symptomAccount: r.symptomAccount ?? null },
    });
    if (verification.passed) {
      const left = (plan.left ?? []).map((l) => l.detail);
      return {
        kind: 'finish',
        outcome: 'fixed',
        detail: `Configuration verified: the addressed cause is gone, TermService is running, the RDP listener is up and the firewall admits RDP (a configuration check, not a test logon).${left.length ? ` Left unchanged: ${left.join(' ')}` : ''}`,
        patch: { verification },
      };
    }
    const failed = verification.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    return { kind: 'finish', outcome: 'failed', reason: 'verification_failed', detail: `Verification failed — ${failed.join('; ')}`, patch: { verification } };
  }

  /** Rollback: read back through WMI; a mode Windows applies only after a restart is said so. */
  private finishRollback(r: RemediationEntity, after: DiagnosisFacts): StepOutcome {
    const restartNeeded = r.changes.some((c) => c.setting === 'LicensingMode' && c.restartNeeded === true);
    const v = verifyRollback(r.plan as Extract<RollbackPlan, { decision: 'rollback' }>, after, { restartNeeded });
    if (v.passed) return { kind: 'finish', outcome: 'rolled_back', detail: 'The recorded values were put back and read back as before the fix.', patch: { verification: v } };
    const failed = v.checks.filter((c) => !c.passed);
    if (failed.every((c) => c.pendingRestart)) {
      return {
        kind: 'finish',
        outcome: 'rolled_back',
        detail: `The recorded values were put back. ${failed.map((c) => c.detail).join('; ')}: a restart of TermService or of the server is needed for WMI LicensingType to show it (rdpfix did not restart anything).`,
        patch: { verification: v },
      };
    }
    return { kind: 'finish', outcome: 'failed', reason: 'verification_failed', detail: `Rollback did not verify — ${failed.map((c) => c.detail).join('; ')}`, patch: { verification: v } };
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
