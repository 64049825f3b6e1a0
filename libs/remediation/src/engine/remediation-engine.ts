import { Injectable } from '@nestjs/common';
import type { Step } from '@rdpfix/domain';
import { RemediationEntity, RemediationRepository } from '@rdpfix/persistence';
import { CommandRunner } from './command-runner';
import { RemediationFinisher } from './remediation-finisher';
import { AdvanceResult, StepHandler, StepOutcome } from './step-outcome';
import { ApplyStep } from './steps/apply.step';
import { DiagnoseStep } from './steps/diagnose.step';
import { PlanStep } from './steps/plan.step';
import { PrecheckStep } from './steps/precheck.step';
import { RebootStep } from './steps/reboot.step';
import { VerifyStep } from './steps/verify.step';
import { endingOf, RemediationEnding } from './lifecycle/remediation-ending';
import { OwnershipRecheck } from './lifecycle/ownership-recheck';
import { KnownRuns } from './known-runs';
import { changesDone, isHeldAtGate } from './steps/change-gate';

/** A timeline event the engine writes with a step's row change (its step defaults to the row's). */
export interface EngineEvent {
  type: string;
  message: string;
  data?: Record<string, unknown>;
  step?: string;
}
const STARTED: EngineEvent = { type: 'started', message: 'worker picked up the remediation' };

/** Steps where a cancel ends the remediation at once: nothing has been changed yet. */
const CANCEL_NOW: ReadonlySet<Step> = new Set(['precheck', 'diagnose', 'plan']);
/** Read-only commands a cancel or an ending may stop at the provider without waiting. */
const READ_ONLY_PURPOSE: Partial<Record<Step, (r: RemediationEntity) => [string, number]>> = {
  diagnose: (r) => ['diagnose', r.stepData.diagnoseAttempt ?? 1],
  verify: (r) => ['verify', r.stepData.verifyAttempt ?? 1],
};

/**
 * Moves one remediation forward by one step. Reads the row, lets the step's handler decide,
 * and persists the decision with a compare-and-set on the row version, so a duplicate job
 * (BullMQ is at-least-once) can never apply a step twice.
 */
@Injectable()
export class RemediationEngine {
  private readonly handlers: Map<Step, StepHandler>;

  constructor(
    private readonly remediations: RemediationRepository,
    private readonly finisher: RemediationFinisher,
    private readonly runner: CommandRunner,
    private readonly ending: RemediationEnding,
    private readonly ownership: OwnershipRecheck,
    private readonly knownRuns: KnownRuns,
    precheck: PrecheckStep,
    diagnose: DiagnoseStep,
    plan: PlanStep,
    apply: ApplyStep,
    reboot: RebootStep,
    verify: VerifyStep,
  ) {
    this.handlers = new Map<Step, StepHandler>([precheck, diagnose, plan, apply, reboot, verify].map((h) => [h.step, h]));
  }

  /** `known`: the row the previous call wrote and returned (fresh: every write is a compare-and-set on its version). */
  async advance(id: string, known?: RemediationEntity): Promise<AdvanceResult> {
    let r = known?.id === id ? known : await this.read(id);
    if (!r || r.state === 'finished' || r.state === 'awaiting_approval') return { kind: 'stop', finished: r?.state !== 'awaiting_approval' };
    const now = new Date();

    // A precheck only reads (inventory, agent), so its outcome carries the start: one write
    // instead of two on every remediation, and "before the step" is the row as created.
    const startWithPrecheck = r.state === 'queued' && r.step === 'precheck' && !r.cancelRequested && !endingOf(r) && now <= r.deadlineAt;
    if (r.state === 'queued' && !startWithPrecheck) {
      const started = await this.save(r, { state: 'running' }, [STARTED]);
      if (!started) return { kind: 'continue' };
      r = started;
    }
    // An ending in progress (deadline or internal error with a change in flight) goes on first.
    if (endingOf(r)) {
      // A restart under way is observed to its end (bounded by REBOOT_DEADLINE_S); it sends nothing.
      if (this.ending.restartUnderWay(r, now)) return this.persist(r, await this.handlers.get('reboot')!.run(r, now));
      return this.ending.continue(r);
    }
    if (r.cancelRequested && (CANCEL_NOW.has(r.step) || r.step === 'verify')) {
      // A read-only diagnose or verify may still be running on the server: stop it there too (best effort).
      const ro = READ_ONLY_PURPOSE[r.step]?.(r);
      if (ro) await this.runner.cancelInFlight(r, ro[0], ro[1]);
      const detail =
        r.step === 'verify'
          ? `Cancelled before the verification finished; ${r.changes.length ? 'the changes already applied stay in place (see changes)' : 'nothing was changed'}.`
          : 'Cancelled before anything was changed.';
      return this.finisher.finish(r, { kind: 'finish', outcome: 'cancelled', detail });
    }
    if (now > r.deadlineAt && isHeldAtGate(r)) {
      // Held for a campaign's ramp (e.g. a paused campaign) past its deadline: nothing was changed.
      return this.finisher.finish(r, {
        kind: 'finish',
        outcome: 'cancelled',
        reason: 'held_past_deadline',
        detail: `Held for its campaign's ramp until its deadline (${r.deadlineAt.toISOString()}); nothing was changed.`,
      });
    }
    if (now > r.deadlineAt) {
      const ro = READ_ONLY_PURPOSE[r.step]?.(r);
      if (ro) await this.runner.cancelInFlight(r, ro[0], ro[1]);
      await this.ending.begin(r, {
        outcome: 'failed',
        reason: 'deadline_exceeded',
        detail: `The remediation did not finish before its deadline (${r.deadlineAt.toISOString()}) in step ${r.step}.`,
      });
      return { kind: 'continue' }; // re-read: the row now carries the ending (or someone else moved it)
    }
    // An approval makes rdpfix change the server: the instance must still be the tenant's (issue 9).
    const owner = await this.ownership.afterApproval(r);
    if (owner) return this.persist(r, owner);
    const handler = this.handlers.get(r.step);
    if (!handler) return { kind: 'stop' };

    const decision = await handler.run(r, now);
    if (!startWithPrecheck) return this.persist(r, decision);
    if (decision.kind === 'wait' && !decision.patch) {
      // Nothing to write for the precheck (it will be tried again): the start is written alone.
      return (await this.save(r, { state: 'running' }, [STARTED])) ? decision : { kind: 'continue' };
    }
    return this.persist(r, { ...decision, patch: { state: 'running', ...decision.patch } } as StepOutcome, [STARTED]);
  }

  /**
   * Steps one remediation until it must wait or stop, at most `maxSteps` steps (then it yields:
   * a wait of 0). `known`: its row as last read or written, if the caller has it.
   */
  async advanceUntilWait(id: string, maxSteps: number, known?: RemediationEntity): Promise<{ kind: 'wait'; ms: number } | { kind: 'stop'; finished?: boolean }> {
    let row = known;
    for (let i = 0; i < maxSteps; i++) {
      const res = await this.advance(id, row);
      if (res.kind !== 'continue') return res;
      row = res.row;
    }
    return { kind: 'wait', ms: 0 };
  }

  /** Many rows with their command runs, in one statement: for advancing a whole batch's remediations. */
  async readMany(ids: string[]): Promise<Map<string, RemediationEntity>> {
    const found = await this.remediations.findManyWithRuns(ids);
    for (const f of found) this.knownRuns.attach(f.row, f.runs);
    return new Map(found.map((f) => [f.row.id, f.row]));
  }

  /** One row with its runs, its statement shared with other reads of this turn (campaign starts in many lanes). */
  async readShared(id: string): Promise<RemediationEntity | undefined> {
    const found = await this.remediations.findByIdWithRunsShared(id);
    if (!found) return undefined;
    this.knownRuns.attach(found.row, found.runs);
    return found.row;
  }

  /** The row and its command runs, in one statement (known-runs.ts). */
  private async read(id: string): Promise<RemediationEntity | null> {
    const found = await this.remediations.findByIdWithRuns(id);
    if (!found) return null;
    this.knownRuns.attach(found.row, found.runs);
    return found.row;
  }

  /** `lead`: events written before the step's own (the start, when the precheck carries it). */
  private async persist(r: RemediationEntity, d: StepOutcome, lead: EngineEvent[] = []): Promise<AdvanceResult> {
    switch (d.kind) {
      case 'wait': {
        if (!d.patch) return { kind: 'wait', ms: d.ms };
        const saved = await this.save(r, d.patch, [...lead, ...(d.event ? [d.event] : [])]);
        if (!saved) return { kind: 'continue' };
        if (d.held) await this.finisher.notifyHeld(saved);
        return { kind: 'wait', ms: d.ms };
      }
      case 'advance': {
        const nextStep = d.patch.step && d.patch.step !== r.step ? d.patch.step : null;
        const events = [...lead, ...(d.event ? [d.event] : []), ...(nextStep ? [{ type: 'step_started', message: `step ${nextStep} started`, step: nextStep }] : [])];
        // Lost the compare-and-set: someone else moved it (cancel, duplicate job); re-read.
        const saved = await this.save(r, d.patch, events);
        // A change that succeeded: a campaign's ramp opens further (the listeners decide who cares).
        if (saved && changesDone(saved) > changesDone(r)) await this.finisher.notifyChanged(saved);
        return saved ? { kind: 'continue', row: saved } : { kind: 'continue' };
      }
      case 'park': {
        const saved = await this.save(r, d.patch, [...lead, d.event]);
        if (!saved) return { kind: 'continue' };
        await this.finisher.notifyParked(saved);
        return { kind: 'stop' };
      }
      case 'finish':
        return this.finisher.finish(r, d, lead);
    }
  }

  /** Compare-and-set of the row plus its timeline events, atomically, in one statement. */
  private async save(
    r: RemediationEntity,
    patch: Partial<RemediationEntity>,
    events: EngineEvent[],
  ): Promise<RemediationEntity | null> {
    const saved = await this.remediations.saveStep(
      r,
      patch,
      events.map((e) => ({ type: e.type, message: e.message, data: e.data, step: e.step ?? r.step })),
    );
    if (saved) this.knownRuns.carry(r, saved);
    return saved;
  }
}
