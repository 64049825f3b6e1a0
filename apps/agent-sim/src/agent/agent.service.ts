import { Inject, Injectable } from '@nestjs/common';
import { SIM_OPTIONS, SimulatorOptions } from '../config/simulator-options';
import { FaultService } from '../faults/fault.service';
import { Scheduler } from '../lifecycle/scheduler';
import { SimStore } from '../store/sim-store';

export type PingStatus = 'Online' | 'ConnectionLost';
type Listener = (instanceId: string, event: 'changed' | 'rebooting') => void;

/**
 * The guest agent's reachability and the machine's restarts. Reachable = the agent is meant
 * to be online, the machine is not restarting, and no agentOffline / agentFlap fault holds it.
 */
@Injectable()
export class AgentService {
  private readonly listeners: Listener[] = [];

  constructor(
    private readonly store: SimStore,
    private readonly faults: FaultService,
    private readonly scheduler: Scheduler,
    @Inject(SIM_OPTIONS) private readonly options: SimulatorOptions,
  ) {}

  /** The lifecycle subscribes here, so agent changes resume waiting invocations. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  isOnline(instanceId: string, now: number = Date.now()): boolean {
    const inst = this.store.getInstance(instanceId);
    const rt = this.store.getRuntime(instanceId);
    if (!inst || !rt) return false;
    if (!inst.agent.online || rt.downSince !== null) return false;
    const f = this.faults.faultsFor(instanceId);
    if (f.agentOffline) return false;
    return !this.inFlapWindow(instanceId, now);
  }

  /** When the agent is known to come back by itself (flap window end, restart end); else null. */
  nextOnlineAt(instanceId: string, now: number = Date.now()): number | null {
    const inst = this.store.getInstance(instanceId);
    const rt = this.store.getRuntime(instanceId);
    if (!inst || !rt || !inst.agent.online || this.faults.faultsFor(instanceId).agentOffline) return null;
    if (rt.downSince !== null) return rt.downSince + this.options.rebootDownMs;
    const flap = this.faults.faultsFor(instanceId).agentFlap;
    if (flap && this.inFlapWindow(instanceId, now)) {
      const phase = (now - rt.flapEpoch) % flap.periodMs;
      return now + (flap.periodMs - phase);
    }
    return now;
  }

  pingStatus(instanceId: string, now: number = Date.now()): PingStatus {
    return this.isOnline(instanceId, now) ? 'Online' : 'ConnectionLost';
  }

  lastPingAt(instanceId: string, now: number = Date.now()): number {
    const rt = this.store.getRuntime(instanceId);
    if (!rt) return now;
    if (this.isOnline(instanceId, now)) return now;
    const flap = this.faults.faultsFor(instanceId).agentFlap;
    if (flap && this.inFlapWindow(instanceId, now)) {
      const windowStart = now - ((now - rt.flapEpoch) % flap.periodMs) + (flap.periodMs - flap.downMs);
      return Math.max(rt.lastPingAt, windowStart);
    }
    return rt.lastPingAt;
  }

  /** Call before anything that may take the agent offline, so LastPingDateTime stays true. */
  notePing(instanceId: string, now: number = Date.now()): void {
    const rt = this.store.getRuntime(instanceId);
    if (rt && this.isOnline(instanceId, now)) rt.lastPingAt = now;
  }

  setOnline(instanceId: string, online: boolean): void {
    const inst = this.store.getInstance(instanceId);
    if (!inst) return;
    this.notePing(instanceId);
    inst.agent.online = online;
    this.emit(instanceId, 'changed');
  }

  /** Tells waiting invocations to look again (after fault or state changes). */
  touch(instanceId: string): void {
    this.emit(instanceId, 'changed');
  }

  isRestarting(instanceId: string): boolean {
    const rt = this.store.getRuntime(instanceId);
    return !!rt && rt.downSince !== null;
  }

  isRestartScheduled(instanceId: string): boolean {
    const rt = this.store.getRuntime(instanceId);
    return !!rt && (rt.rebootAt !== null || rt.downSince !== null);
  }

  scheduleRestart(instanceId: string, delayMs: number): void {
    const rt = this.store.getRuntime(instanceId);
    if (!rt) return;
    rt.rebootAt = Date.now() + delayMs;
    this.scheduler.at(`reboot:${instanceId}`, rt.rebootAt, () => this.restartNow(instanceId));
  }

  /**
   * The machine goes down: sessions end, a pending role removal completes (RDSH gone,
   * TerminalServerMode 0), a licensing mode written to the registry takes effect, and after
   * rebootDownMs it is back with a new boot time.
   */
  restartNow(instanceId: string): void {
    const inst = this.store.getInstance(instanceId);
    const rt = this.store.getRuntime(instanceId);
    if (!inst || !rt || rt.downSince !== null) return;
    const now = Date.now();
    this.notePing(instanceId, now);
    this.scheduler.cancel(`reboot:${instanceId}`);
    rt.rebootAt = null;
    rt.downSince = now;
    inst.sessions = [];
    if (inst.rdsh.removalPending) inst.rdsh = { installed: false, removalPending: false };
    if (inst.licensing.pendingMode !== null) {
      inst.licensing.mode = inst.licensing.pendingMode;
      inst.licensing.pendingMode = null;
    }
    inst.pendingReboot = false;
    inst.pendingFileRename = false;
    this.store.stats.reboots += 1;
    this.emit(instanceId, 'rebooting');
    const listenerWasUp = inst.listener.up;
    this.scheduler.at(`reboot-up:${instanceId}`, now + this.options.rebootDownMs, () => this.restartDone(instanceId, listenerWasUp));
  }

  /**
   * Back with a new boot time. A restart starts automatic services again, TermService included,
   * but real servers often let the agent in first: TermService and the RDP-Tcp listener come up
   * `boot.termServiceDelayMs` / `boot.listenerDelayMs` after the agent (issue 7).
   */
  private restartDone(instanceId: string, listenerWasUp: boolean): void {
    const inst = this.store.getInstance(instanceId);
    const rt = this.store.getRuntime(instanceId);
    if (!inst || !rt) return;
    const now = Date.now();
    rt.downSince = null;
    inst.bootTime = new Date(now).toISOString();
    const tsDelay = inst.boot?.termServiceDelayMs ?? 0;
    const lDelay = Math.max(tsDelay, inst.boot?.listenerDelayMs ?? 0);
    if (tsDelay > 0) {
      inst.termService = 'stopped';
      this.scheduler.at(`termservice-up:${instanceId}`, now + tsDelay, () => {
        const i = this.store.getInstance(instanceId);
        if (i) i.termService = 'running';
      });
    } else {
      inst.termService = 'running';
    }
    if (lDelay > 0 && listenerWasUp) {
      inst.listener.up = false;
      this.scheduler.at(`listener-up:${instanceId}`, now + lDelay, () => {
        const i = this.store.getInstance(instanceId);
        if (i) i.listener.up = true;
      });
    }
    this.notePing(instanceId, now);
    this.emit(instanceId, 'changed');
  }

  private inFlapWindow(instanceId: string, now: number): boolean {
    const flap = this.faults.faultsFor(instanceId).agentFlap;
    const rt = this.store.getRuntime(instanceId);
    if (!flap || !rt || flap.downMs <= 0 || flap.periodMs <= 0) return false;
    const phase = (now - rt.flapEpoch) % flap.periodMs;
    return phase >= flap.periodMs - flap.downMs;
  }

  private emit(instanceId: string, event: 'changed' | 'rebooting'): void {
    for (const l of this.listeners) l(instanceId, event);
  }
}
