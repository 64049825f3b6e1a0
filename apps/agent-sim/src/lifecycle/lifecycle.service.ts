import { Inject, Injectable } from '@nestjs/common';
import { CHANGING_SCRIPTS, ScriptName } from '@rdpfix/runbook/contract';
import { newCommandId } from '../common/ids';
import { Rng } from '../common/rng';
import { SIM_OPTIONS, SimulatorOptions } from '../config/simulator-options';
import { AgentService } from '../agent/agent.service';
import { FaultService } from '../faults/fault.service';
import { RunLedger } from '../ledger/run-ledger';
import { parseScript } from '../scripts/parse-script';
import { NO_OUTPUT_FAULTS, ScriptOutcome, executeScript } from '../scripts/script-executor';
import { continuesAfterKill, modelledRunMs } from '../scripts/handlers/remove-rdsh-role.handler';
import { SimStore } from '../store/sim-store';
import { InvocationStatus, SimCommand, SimInvocation } from './invocation';
import { Scheduler } from './scheduler';

export interface NewCommand {
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  region: string | null;
  timeoutSeconds: number;
  executionTimeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
}

/**
 * Drives every invocation through Pending → InProgress → terminal with one keyed timer at a
 * time. `advance` looks at the invocation and the agent now, makes any transition that is
 * due, and schedules itself for the next interesting moment; agent changes call it again.
 */
@Injectable()
export class LifecycleService {
  constructor(
    private readonly store: SimStore,
    private readonly scheduler: Scheduler,
    private readonly agent: AgentService,
    private readonly faults: FaultService,
    private readonly rng: Rng,
    @Inject(SIM_OPTIONS) private readonly options: SimulatorOptions,
    private readonly ledger: RunLedger,
  ) {
    agent.onChange((instanceId, event) => {
      if (event === 'rebooting') this.interruptRunning(instanceId);
      this.kickInstance(instanceId);
    });
  }

  send(input: NewCommand): SimCommand {
    const now = Date.now();
    const script = parseScript((input.parameters.commands ?? []).join('\n'));
    const cmd: SimCommand = {
      commandId: newCommandId(),
      documentName: input.documentName,
      comment: input.comment,
      parameters: input.parameters,
      instanceIds: [...input.instanceIds],
      region: input.region,
      requestedAt: now,
      visibleAt: now + this.options.invisibleMs,
      timeoutSeconds: input.timeoutSeconds,
      executionTimeoutSeconds: input.executionTimeoutSeconds,
      maxConcurrency: input.maxConcurrency,
      maxErrors: input.maxErrors,
    };
    const invocations = input.instanceIds.map<SimInvocation>((instanceId) => ({
      commandId: cmd.commandId,
      instanceId,
      phase: 'pending',
      status: 'Pending',
      statusDetails: 'Pending',
      responseCode: -1,
      script,
      requestedAt: now,
      visibleAt: cmd.visibleAt,
      deliveryDeadline: now + input.timeoutSeconds * 1000 * this.options.timeoutScale,
      deliverAt: null,
      startedAt: null,
      finishAt: null,
      execDeadline: null,
      endedAt: null,
      cancelAt: null,
      interruptedAt: null,
      stdout: '',
      stderr: '',
      effectApplied: false,
    }));
    this.store.addCommand(cmd, invocations);
    if (script.kind === 'rdpfix' && CHANGING_SCRIPTS.has(script.name)) {
      for (const id of cmd.instanceIds) this.ledger.received(id, script.name, script.params.runId);
    }
    for (const inv of invocations) this.advance(inv);
    return cmd;
  }

  /**
   * CancelCommand: not-yet-terminal invocations pass through Cancelling to Cancelled.
   * Conservatively, a changing script that is already InProgress has made its change.
   */
  cancel(commandId: string, instanceIds: string[] | null): void {
    const now = Date.now();
    for (const inv of this.store.invocationsOfCommand(commandId)) {
      if (instanceIds && !instanceIds.includes(inv.instanceId)) continue;
      if (inv.phase === 'done' || inv.phase === 'cancelling') continue;
      if (inv.phase === 'running' && inv.interruptedAt === null) this.applyEffectOnly(inv);
      inv.phase = 'cancelling';
      this.setStatus(inv, 'Cancelling', 'Cancelling');
      inv.cancelAt = now + this.options.cancelMs;
      this.advance(inv);
    }
  }

  kickInstance(instanceId: string): void {
    for (const inv of this.store.invocationsOfInstance(instanceId)) if (inv.phase !== 'done') this.advance(inv);
  }

  private advance(inv: SimInvocation): void {
    const now = Date.now();
    const key = `inv:${inv.commandId}:${inv.instanceId}`;
    const later = (when: number | null) => {
      if (when === null) this.scheduler.cancel(key);
      else this.scheduler.at(key, when, () => this.advance(inv));
    };
    switch (inv.phase) {
      case 'done':
        this.scheduler.cancel(key);
        return;
      case 'cancelling':
        if (now >= (inv.cancelAt ?? now)) return this.finish(inv, 'Cancelled', 'Cancelled', -1, now);
        return later(inv.cancelAt);
      case 'pending': {
        if (now >= inv.deliveryDeadline) return this.finish(inv, 'TimedOut', 'DeliveryTimedOut', -1, now);
        if (!this.agent.isOnline(inv.instanceId, now)) {
          // The agent is away: the invocation waits (Delayed) until it returns or TimeoutSeconds passes.
          inv.deliverAt = null;
          inv.statusDetails = 'Delayed';
          const back = this.agent.nextOnlineAt(inv.instanceId, now);
          return later(back === null ? inv.deliveryDeadline : Math.min(back, inv.deliveryDeadline));
        }
        if (inv.deliverAt === null) {
          inv.deliverAt = now + this.options.pendingMs;
          inv.statusDetails = 'Pending';
        }
        if (now >= inv.deliverAt) return this.start(inv, now);
        return later(Math.min(inv.deliverAt, inv.deliveryDeadline));
      }
      case 'running': {
        const online = this.agent.isOnline(inv.instanceId, now);
        if (inv.interruptedAt !== null) {
          if (!online) return later(this.agent.nextOnlineAt(inv.instanceId, now));
          inv.stderr = 'The command was interrupted by a restart of the instance.\r\n';
          return this.finish(inv, 'Failed', 'Failed', -1, now);
        }
        const finishAt = inv.finishAt ?? now;
        const execDeadline = inv.execDeadline ?? Infinity;
        if (finishAt > execDeadline && now >= execDeadline) {
          // SSM kills PowerShell, but Windows servicing it started goes on to its modelled end.
          if (Number.isFinite(finishAt) && continuesAfterKill(scriptName(inv))) this.scheduler.at(`servicing:${key}`, finishAt, () => this.applyEffectOnly(inv));
          return this.finish(inv, 'TimedOut', 'ExecutionTimedOut', -1, now);
        }
        if (now >= finishAt) {
          // Finished on the box; the result is reported when the agent can reach the service.
          if (!online) return later(this.agent.nextOnlineAt(inv.instanceId, now));
          return this.complete(inv, now);
        }
        return later(Math.min(finishAt, execDeadline));
      }
    }
  }

  private start(inv: SimInvocation, now: number): void {
    if (this.faults.undeliverable(inv.instanceId)) return this.finish(inv, 'Failed', 'Undeliverable', -1, now);
    const cmd = this.store.getCommand(inv.commandId);
    const name = scriptName(inv);
    const runMs = modelledRunMs(this.store.getInstance(inv.instanceId), name, this.options.timeoutScale) ?? (name && this.options.scriptRunMs[name]) ?? this.options.runMs;
    inv.phase = 'running';
    this.setStatus(inv, 'InProgress', 'InProgress');
    inv.startedAt = now;
    inv.finishAt = this.faults.hangs(inv.instanceId, name) ? Infinity : now + runMs;
    inv.execDeadline = now + (cmd?.executionTimeoutSeconds ?? 3600) * 1000 * this.options.timeoutScale;
    this.advance(inv);
  }

  private complete(inv: SimInvocation, now: number): void {
    const inst = this.store.getInstance(inv.instanceId);
    if (!inst) return this.finish(inv, 'Failed', 'Undeliverable', -1, now);
    const outcome = executeScript(inst, inv.script, {
      now,
      rebootScheduled: this.agent.isRestartScheduled(inv.instanceId),
      instanceId: inv.instanceId,
      commandId: inv.commandId,
      faults: this.faults.outputFaults(inv.instanceId),
      rng: this.rng,
      alreadyRan: (runId) => this.ledger.hasRun(inv.instanceId, runId),
    });
    this.recordRun(inv, outcome);
    if (outcome.apply) {
      outcome.apply(inst);
      inv.effectApplied = true;
    }
    if (outcome.reboot) this.agent.scheduleRestart(inv.instanceId, outcome.reboot.delaySeconds * 1000 * this.options.rebootDelayScale);
    inv.stdout = outcome.stdout;
    inv.stderr = outcome.stderr;
    const ok = outcome.exitCode === 0;
    this.finish(inv, ok ? 'Success' : 'Failed', ok ? 'Success' : 'Failed', outcome.exitCode, now);
  }

  /** A late cancel: the script's change (and any restart it schedules) already happened. */
  private applyEffectOnly(inv: SimInvocation): void {
    const name = scriptName(inv);
    const inst = this.store.getInstance(inv.instanceId);
    if (!inst || !name || !CHANGING_SCRIPTS.has(name)) return;
    const outcome = executeScript(inst, inv.script, {
      now: Date.now(),
      rebootScheduled: this.agent.isRestartScheduled(inv.instanceId),
      instanceId: inv.instanceId,
      commandId: inv.commandId,
      faults: NO_OUTPUT_FAULTS,
      rng: this.rng,
      alreadyRan: (runId) => this.ledger.hasRun(inv.instanceId, runId),
    });
    this.recordRun(inv, outcome);
    if (outcome.apply) {
      outcome.apply(inst);
      inv.effectApplied = true;
    }
    if (outcome.reboot) this.agent.scheduleRestart(inv.instanceId, outcome.reboot.delaySeconds * 1000 * this.options.rebootDelayScale);
  }

  /** The ledger and the script guard's marker: a changing script's body ran (or was refused). */
  private recordRun(inv: SimInvocation, outcome: ScriptOutcome): void {
    const name = scriptName(inv);
    if (!name || !CHANGING_SCRIPTS.has(name)) return;
    const runId = outcome.guard?.runId ?? (inv.script.kind === 'rdpfix' ? inv.script.params.runId : undefined);
    if (outcome.guard && !outcome.guard.first) return this.ledger.refused(inv.instanceId, name, runId);
    if (!outcome.bodyRan) return;
    if (outcome.guard) this.ledger.markRun(inv.instanceId, outcome.guard.runId);
    this.ledger.executed(inv.instanceId, name, runId);
  }

  private interruptRunning(instanceId: string): void {
    const now = Date.now();
    for (const inv of this.store.invocationsOfInstance(instanceId)) {
      if (inv.phase === 'running' && inv.interruptedAt === null) inv.interruptedAt = now;
    }
  }

  private finish(inv: SimInvocation, status: InvocationStatus, details: string, code: number, now: number): void {
    inv.phase = 'done';
    this.setStatus(inv, status, details);
    inv.responseCode = code;
    inv.endedAt = now;
    this.scheduler.cancel(`inv:${inv.commandId}:${inv.instanceId}`);
  }

  private setStatus(inv: SimInvocation, status: InvocationStatus, details: string): void {
    inv.status = status;
    inv.statusDetails = details;
  }
}

export function scriptName(inv: SimInvocation): ScriptName | null {
  return inv.script.kind === 'rdpfix' ? inv.script.name : null;
}
