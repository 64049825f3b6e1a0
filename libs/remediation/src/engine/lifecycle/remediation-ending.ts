import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { COMMAND_CHANNEL, CommandChannel } from '@rdpfix/channel';
import type { Outcome, Plan, PlanAction, RollbackAction, RollbackPlan } from '@rdpfix/domain';
import { CommandRunEntity, CommandRunRepository, RecordedChange, RemediationEntity, RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import type { ScriptResult } from '@rdpfix/runbook';
import { changesFromResult } from '../action-scripts';
import { CommandRunner } from '../command-runner';
import { RemediationFinisher } from '../remediation-finisher';
import { AdvanceResult } from '../step-outcome';

/** Why a remediation is being ended while it may still have work on the server. */
export interface EndingIntent {
  outcome: Outcome;
  reason: string | null;
  detail: string;
  /** When the ending began (ISO), and which runs we asked the provider to cancel. */
  since: string;
  cancelled: string[];
}

/** stepData as the lifecycle layer sees it (jsonb: extra keys persist with the row). */
export type LifecycleStepData = RemediationEntity['stepData'] & { ending?: EndingIntent; ownerCheckedAt?: string };

/** Steps whose commands change the server. */
const CHANGING_STEPS = new Set(['apply', 'reboot']);
/** Run statuses that may still change the server. */
const IN_FLIGHT = new Set(['requested', 'sending', 'pending', 'running']);

export function endingOf(r: RemediationEntity): EndingIntent | undefined {
  return (r.stepData as LifecycleStepData).ending;
}

/**
 * "No finish while a change runs" (issue 8, defect 4). A remediation that must end — deadline,
 * internal error — while a changing command may be on the server does not finish at once:
 *  1. the intent (outcome, abort reason) is stored in the row and the timeline;
 *  2. a changing command not yet sent is withdrawn (requested → cancelled, so it can never go);
 *  3. one still waiting for delivery (Pending/Delayed) is cancelled at the provider; one already
 *     running on the server is left to finish, because a script killed half-way records no
 *     before/after values and a rollback would then be impossible;
 *  4. the run is polled (rescheduling, never waiting in the slot) until its status is terminal,
 *     which the command runner bounds by the command's own time limit;
 *  5. a change that completed meanwhile is recorded (rollback data kept); then the remediation
 *     finishes with the stored outcome, and only then is the instance's active slot released.
 * A restart under way (scheduled, server not yet seen back) counts as a change in flight too:
 * the engine lets the reboot step observe it, bounded by REBOOT_DEADLINE_S.
 */
@Injectable()
export class RemediationEnding {
  private readonly log = new Logger(RemediationEnding.name);

  constructor(
    private readonly ds: DataSource,
    private readonly remediations: RemediationRepository,
    private readonly runs: CommandRunRepository,
    private readonly timeline: TimelineRepository,
    private readonly finisher: RemediationFinisher,
    private readonly runner: CommandRunner,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
  ) {}

  /** A restart was scheduled and the server has not been seen back within its window yet. */
  restartUnderWay(r: RemediationEntity, now: Date): boolean {
    const sd = r.stepData;
    return r.step === 'reboot' && !!sd.rebootCommandDoneAt && !!sd.rebootDeadlineAt && now <= new Date(sd.rebootDeadlineAt);
  }

  /**
   * Stores the intent to end (once) and returns the row that carries it, or null when the
   * compare-and-set lost (someone else moved the row: re-read).
   */
  async begin(r: RemediationEntity, intent: { outcome: Outcome; reason: string | null; detail: string }): Promise<RemediationEntity | null> {
    if (endingOf(r)) return r;
    const ending: EndingIntent = { ...intent, since: new Date().toISOString(), cancelled: [] };
    const inFlight = (await this.changingRuns(r)).map((c) => ({ commandRunId: c.id, script: c.scriptName, status: c.status }));
    return this.ds.transaction(async (m) => {
      const saved = await this.remediations.updateIfVersion(r.id, r.version, { stepData: { ...r.stepData, ending } as LifecycleStepData }, m);
      if (!saved) return null;
      await this.timeline.append(
        {
          remediationId: r.id,
          type: 'ending',
          message: `ending (${intent.reason ?? intent.outcome}): ${
            inFlight.length || this.restartUnderWay(r, new Date()) ? 'waiting for the change in flight to end first; the instance stays reserved' : 'nothing in flight'
          }`,
          data: { abortReason: intent.reason, outcome: intent.outcome, inFlight },
        },
        m,
      );
      return saved;
    });
  }

  /** One bounded step of an ending: withdraw, cancel or poll what is in flight; finish when nothing is. */
  async continue(r: RemediationEntity): Promise<AdvanceResult> {
    const ending = endingOf(r)!;
    for (const run of await this.changingRuns(r)) {
      if (run.status === 'requested') {
        // Never sent: make sure it never will be (the send path moves only `requested` runs).
        if (await this.runs.transition(run.id, ['requested'], { status: 'cancelled', error: `not sent: the remediation is ending (${ending.reason ?? ending.outcome})`, finishedAt: new Date() })) {
          await this.timeline.append({ remediationId: r.id, type: 'command_withdrawn', step: run.step, message: `${run.scriptName} was not sent: the remediation is ending`, data: { commandRunId: run.id } });
        }
        return { kind: 'continue' };
      }
      // Ask the provider first (one bounded call), so a long-delivered or finished command is seen as such.
      const st = await this.runner.settle(r, run.id);
      if (!st.done) {
        const fresh = await this.runs.findById(run.id);
        if (fresh?.status === 'pending' && fresh.commandId && !ending.cancelled.includes(run.id)) return this.cancelAtProvider(r, fresh, ending);
        return { kind: 'wait', ms: st.waitMs };
      }
      await this.timeline.append({
        remediationId: r.id,
        type: 'command_settled',
        step: st.run.step,
        message: `${st.run.scriptName} ended ${st.run.status} before the remediation finished`,
        data: { commandRunId: st.run.id, status: st.run.status },
      });
      return { kind: 'continue' };
    }
    return this.finish(r, ending);
  }

  private async cancelAtProvider(r: RemediationEntity, run: CommandRunEntity, ending: EndingIntent): Promise<AdvanceResult> {
    let ok = true;
    try {
      await this.channel.cancel(r.region, run.commandId!, [r.instanceId]);
    } catch (err) {
      ok = false;
      this.log.warn(`cancel of ${run.commandId} failed (will poll it to its end anyway): ${(err as Error).message}`);
    }
    const saved = await this.ds.transaction(async (m) => {
      const row = await this.remediations.updateIfVersion(r.id, r.version, { stepData: { ...r.stepData, ending: { ...ending, cancelled: [...ending.cancelled, run.id] } } as LifecycleStepData }, m);
      if (!row) return null;
      await this.timeline.append(
        {
          remediationId: r.id,
          type: 'command_cancel_requested',
          step: run.step,
          message: `${run.scriptName} (command ${run.commandId}) had not started on the server; ${ok ? 'cancel asked of the cloud' : 'the cloud could not be asked to cancel it'}; waiting for its final status`,
          data: { commandRunId: run.id, commandId: run.commandId, accepted: ok },
        },
        m,
      );
      return row;
    });
    return saved ? { kind: 'wait', ms: 0 } : { kind: 'continue' };
  }

  /** Nothing in flight: record any change that completed meanwhile, then finish with the stored outcome. */
  private async finish(r: RemediationEntity, ending: EndingIntent): Promise<AdvanceResult> {
    const runs = await this.runs.listForRemediation(r.id);
    const recorded = new Set(r.changes.map((c) => c.commandRunId));
    const adopted: RecordedChange[] = [];
    for (const run of runs) {
      if (run.step !== 'apply' || run.status !== 'succeeded' || recorded.has(run.id)) continue;
      const action = actionOf(r, run.purpose);
      const result = run.result as ScriptResult | null;
      if (action && result?.ok) adopted.push(...changesFromResult(action, result, run.id, run.finishedAt ?? new Date()));
    }
    const touched = runs.filter((c) => CHANGING_STEPS.has(c.step) && ending.since && (c.finishedAt ?? new Date(0)) >= new Date(ending.since));
    const notes: string[] = [];
    for (const c of touched) {
      if (c.status === 'succeeded') notes.push(`${c.scriptName} was already running and was let finish: it succeeded${adopted.some((a) => a.commandRunId === c.id) ? ' and its before/after values are recorded (see changes)' : ''}.`);
      else if (c.status === 'cancelled' && !c.commandId) notes.push(`${c.scriptName} was never sent.`);
      else if (c.status === 'cancelled') notes.push(`${c.scriptName} was cancelled at the cloud before it ran; if it had just started, Windows may have applied it: run a diagnosis.`);
      else notes.push(`${c.scriptName} ended ${c.status}.`);
    }
    const detail = [ending.detail, ...notes].join(' ');
    return this.finisher.finish(r, {
      kind: 'finish',
      outcome: ending.outcome,
      reason: ending.reason,
      detail,
      patch: adopted.length ? { changes: [...r.changes, ...adopted] } : undefined,
    });
  }

  /** Changing runs (apply, reboot) that may still act on the server. */
  private async changingRuns(r: RemediationEntity): Promise<CommandRunEntity[]> {
    return (await this.runs.listForRemediation(r.id)).filter((c) => CHANGING_STEPS.has(c.step) && IN_FLIGHT.has(c.status));
  }
}

/** The plan action an apply run carried out, from its purpose `apply:<index>:<kind>`. */
function actionOf(r: RemediationEntity, purpose: string): PlanAction | RollbackAction | null {
  const m = /^apply:(\d+):([a-z-]+)$/.exec(purpose);
  if (!m) return null;
  const plan = r.plan as Extract<Plan, { decision: 'act' }> | Extract<RollbackPlan, { decision: 'rollback' }> | null;
  const action = Array.isArray(plan?.actions) ? plan!.actions[Number(m[1])] : undefined;
  return action && action.kind === m[2] ? action : null;
}
