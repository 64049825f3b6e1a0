import { Injectable, Logger, Optional, Inject } from '@nestjs/common';
import { RemediationEntity, RemediationRepository } from '@rdpfix/persistence';
import { AdvanceResult, StepOutcome } from './step-outcome';

/** Hook for whatever must happen when a remediation ends or waits for approval (webhooks, metrics). */
export interface RemediationListener {
  onFinished(r: RemediationEntity): Promise<void>;
  onAwaitingApproval(r: RemediationEntity): Promise<void>;
  /** Diagnosed and planned, its first change held until its campaign's ramp opens the gate. */
  onHeld?(r: RemediationEntity): Promise<void>;
  /** A changing command of it succeeded (an action applied, or the restart scheduled). */
  onChanged?(r: RemediationEntity): Promise<void>;
}
export const REMEDIATION_LISTENERS = Symbol('REMEDIATION_LISTENERS');

/** Ends a remediation (outcome, reason, timeline) exactly once, then tells the listeners. */
@Injectable()
export class RemediationFinisher {
  private readonly log = new Logger(RemediationFinisher.name);

  constructor(
    private readonly remediations: RemediationRepository,
    @Optional() @Inject(REMEDIATION_LISTENERS) private readonly listeners: RemediationListener[] = [],
  ) {}

  /** `lead`: events to write before `finished` in the same statement (the start, when a precheck ends it). */
  async finish(r: RemediationEntity, d: Extract<StepOutcome, { kind: 'finish' }>, lead: { type: string; message: string }[] = []): Promise<AdvanceResult> {
    // The state change and its event commit together (one statement): a reader never sees one without the other.
    const saved = await this.remediations.saveStep(
      r,
      {
        ...(d.patch ?? {}),
        state: 'finished',
        step: 'done',
        outcome: d.outcome,
        reason: d.reason ?? null,
        reasonDetail: d.detail ?? null,
        finishedAt: new Date(),
      },
      [
        ...lead.map((e) => ({ ...e, step: r.step })),
        {
          type: 'finished',
          step: r.step,
          message: `finished: ${d.outcome}${d.reason ? ` (${d.reason})` : ''}${d.detail ? ` — ${d.detail}` : ''}`,
          data: { outcome: d.outcome, reason: d.reason ?? null },
        },
      ],
    );
    if (!saved) return { kind: 'continue' };
    await this.tell((l) => l.onFinished(saved));
    return { kind: 'stop', finished: true };
  }

  /** For remediations ended outside finish() (expired approvals, cancels by the API). */
  async notifyFinishedExternally(r: RemediationEntity): Promise<void> {
    await this.tell((l) => l.onFinished(r));
  }

  async notifyParked(r: RemediationEntity): Promise<void> {
    await this.tell((l) => l.onAwaitingApproval(r));
  }

  async notifyHeld(r: RemediationEntity): Promise<void> {
    await this.tell((l) => l.onHeld?.(r) ?? Promise.resolve());
  }

  async notifyChanged(r: RemediationEntity): Promise<void> {
    await this.tell((l) => l.onChanged?.(r) ?? Promise.resolve());
  }

  private async tell(fn: (l: RemediationListener) => Promise<void>): Promise<void> {
    for (const l of this.listeners ?? []) {
      try {
        await fn(l);
      } catch (err) {
        this.log.error(`listener failed: ${(err as Error).message}`);
      }
    }
  }
}
