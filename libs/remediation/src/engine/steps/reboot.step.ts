import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelThrottledError } from '@rdpfix/channel';
import { RemediationEntity } from '@rdpfix/persistence';
import type { RestartResult } from '@rdpfix/runbook';
import { CommandRunner } from '../command-runner';
import { describeCommandFailure } from '../command-failure';
import { StepHandler, StepOutcome } from '../step-outcome';
import { BATCH_BOOTED_BEFORE_PLACEHOLDER } from '../batch/batch-key';
import { BatchedRuns } from '../batch/batched-runs';
import { InstanceInfoBatcher } from '../batch/instance-info-batcher';

/**
 * Longest sleep of a campaign's restart watch between looks, in poll intervals: it is woken when
 * its instance's answer changes, so this only bounds a lost wake (20 s with the default 2 s).
 */
const REBOOT_WATCH_SLEEP_POLLS = 10;
/** ... or in refreshes of its answer, once a long restart has them come less often (45 s at most by default). */
const REBOOT_WATCH_SLEEP_REFRESHES = 3;

/**
 * Step 5: reboot only with consent. Consent is given before anything changes (plan step); a row
 * that reaches this step without it (its changes applied by an older version) still waits for approval.
 * With consent: send restart-computer once, with a boot-time check so that a re-delivered
 * command never restarts twice (restartParams); then wait (rescheduling, never sleeping) for the
 * agent to go away and come back; verify then checks the boot time.
 */
@Injectable()
export class RebootStep implements StepHandler {
  readonly step = 'reboot' as const;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: CommandRunner,
    private readonly info: InstanceInfoBatcher,
    private readonly batched: BatchedRuns,
  ) {}

  async run(r: RemediationEntity, now: Date): Promise<StepOutcome> {
    if (!r.allowReboot && !r.approvedAt) {
      return {
        kind: 'park',
        patch: { state: 'awaiting_approval', approvalExpiresAt: new Date(now.getTime() + this.config.APPROVAL_TTL_S * 1000) },
        event: {
          type: 'approval_required',
          message: 'the fix needs a reboot; waiting for approval (POST /v1/remediations/:id/approve)',
          data: { expiresAt: new Date(now.getTime() + this.config.APPROVAL_TTL_S * 1000).toISOString() },
        },
      };
    }
    const sd = r.stepData;
    if (!sd.rebootCommandDoneAt) {
      if (r.cancelRequested && !(await this.runner.hasStarted(r, 'reboot', 1))) {
        return { kind: 'finish', outcome: 'cancelled', detail: 'Cancelled before the reboot; the changes already applied stay in place (see changes).' };
      }
      const st = await this.runner.run(r, {
        step: 'reboot',
        purpose: 'reboot',
        attempt: 1,
        script: 'restart-computer',
        params: this.restartParams(r),
      });
      if (!st.done) return { kind: 'wait', ms: st.waitMs };
      const result = st.run.result as RestartResult | null;
      if (st.run.status !== 'succeeded' || !result?.ok) {
        const f = describeCommandFailure(st.run);
        // An unknown send may have scheduled the restart: do not claim it could not be.
        const head = f.reason === 'send_outcome_unknown' ? 'The restart may or may not have been scheduled.' : 'The restart could not be scheduled.';
        return { kind: 'finish', outcome: 'failed', reason: f.reason, detail: `${head} ${f.detail}` };
      }
      if (result.alreadyRestarted) {
        // The server booted after the diagnosis (a re-delivered command, or a restart by someone
        // else): the restart the fix needs has happened, and the script did not schedule another.
        return {
          kind: 'advance',
          patch: {
            rebooted: true,
            step: 'verify',
            stepData: {
              ...sd,
              rebootCommandDoneAt: now.toISOString(),
              sawOffline: true,
              rebootDeadlineAt: new Date(now.getTime() + this.config.REBOOT_DEADLINE_S * 1000).toISOString(),
              verifyAttempt: 1,
            },
          },
          event: {
            type: 'agent_back',
            message: `the server already restarted since the diagnosis (boot time ${result.bootTime}${result.bootedBefore ? `, after the batch's threshold ${result.bootedBefore}` : ''}); no second restart was scheduled`,
          },
        };
      }
      return {
        kind: 'advance',
        patch: {
          rebooted: true,
          stepData: {
            ...sd,
            rebootCommandDoneAt: now.toISOString(),
            sawOffline: false,
            rebootDeadlineAt: new Date(now.getTime() + this.config.REBOOT_DEADLINE_S * 1000).toISOString(),
          },
        },
        event: { type: 'reboot_scheduled', message: `restart scheduled in ${this.config.REBOOT_DELAY_S}s; waiting for the agent to go and come back` },
      };
    }
    if (now > new Date(sd.rebootDeadlineAt!)) {
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'reboot_not_observed',
        detail: `The server did not come back with a new boot time within ${this.config.REBOOT_DEADLINE_S}s. Check it through the VNC console.`,
      };
    }
    const batched = this.batched.handles(r);
    let online: boolean;
    try {
      online = (await this.info.watch(r, batched))?.online ?? false;
    } catch (err) {
      return { kind: 'wait', ms: err instanceof ChannelThrottledError ? err.retryAfterMs : this.config.POLL_INTERVAL_MS };
    }
    const poll = this.config.POLL_INTERVAL_MS;
    if (!online) {
      const ms = this.sleepUntilChange(r, now, batched, false, new Date(sd.rebootDeadlineAt!).getTime() - now.getTime());
      if (sd.sawOffline) return { kind: 'wait', ms };
      return { kind: 'wait', ms, patch: { stepData: { ...sd, sawOffline: true } } };
    }
    // Online again. If we never saw it offline, the restart may still be ahead: give it its delay.
    const sinceCommand = now.getTime() - new Date(sd.rebootCommandDoneAt).getTime();
    const delayLeft = this.config.REBOOT_DELAY_S * 1000 + poll - sinceCommand;
    if (!sd.sawOffline && delayLeft > 0) {
      return { kind: 'wait', ms: this.sleepUntilChange(r, now, batched, true, delayLeft) };
    }
    return {
      kind: 'advance',
      patch: { step: 'verify', stepData: { ...sd, verifyAttempt: 1 } },
      event: { type: 'agent_back', message: sd.sawOffline ? 'agent went offline and is back' : 'agent online after the restart delay' },
    };
  }

  /**
   * How long to wait before looking again. A campaign's watch sleeps until the instance's answer
   * changes (the batcher wakes it; at most REBOOT_WATCH_SLEEP_POLLS intervals, nor past `untilMs`),
   * instead of a job run every poll interval; anything else polls every interval as before.
   */
  private sleepUntilChange(r: RemediationEntity, now: Date, batched: boolean, online: boolean, untilMs: number): number {
    const poll = this.config.POLL_INTERVAL_MS;
    // The batcher refreshes a long restart's answer less often (from when the restart was sent).
    const since = Date.parse(r.stepData.rebootCommandDoneAt ?? '');
    const every = Number.isFinite(since) ? this.info.refreshEvery(since, now.getTime(), r.region) : poll;
    const most = Math.max(REBOOT_WATCH_SLEEP_POLLS * poll, REBOOT_WATCH_SLEEP_REFRESHES * every);
    // A row without a reboot deadline (written by an older version) gives NaN: sleep the bound.
    const bound = Number.isFinite(untilMs) ? untilMs : most;
    const ms = Math.max(poll, Math.min(most, bound));
    return batched && this.info.wakeOnChange(r, online, ms, Number.isFinite(since) ? since : now.getTime()) ? ms : poll;
  }

  /**
   * restart-computer's re-delivery check. A campaign restart goes out batched with a threshold the
   * sender computes from the whole batch's boot times (`bootedBefore`, one-sided), so no
   * per-instance value keeps it out of a batch; a single fix keeps its own two-sided
   * `expectedBootTime` (restart-check.ts). A row without a recorded boot time before the change
   * (written by an older version) keeps the per-instance form on either path.
   */
  private restartParams(r: RemediationEntity): Record<string, string | number> {
    if (r.bootTimeBefore && this.batched.handles(r)) return { delaySeconds: this.config.REBOOT_DELAY_S, bootedBefore: BATCH_BOOTED_BEFORE_PLACEHOLDER };
    return { delaySeconds: this.config.REBOOT_DELAY_S, expectedBootTime: isoSeconds(r.bootTimeBefore ?? new Date(r.facts!.bootTime)) };
  }
}

/** ISO-8601 UTC without fractions, as restart-computer expects (and the diagnose script prints). */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
