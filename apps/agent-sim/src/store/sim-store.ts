import { Injectable } from '@nestjs/common';
import { FaultConfig, GlobalFaultConfig, NO_FAULTS } from '../faults/fault-config';
import { SimInstance } from '../model/instance';
import { SimCommand, SimInvocation } from '../lifecycle/invocation';

/** Cloud-side state of an instance that is not part of the modelled Windows server. */
export interface InstanceRuntime {
  /** Last time the agent was seen online (LastPingDateTime while it is offline). */
  lastPingAt: number;
  /** When a scheduled restart begins; null when none is scheduled. */
  rebootAt: number | null;
  /** The machine has been restarting since then; null when it is up. */
  downSince: number | null;
  /** Reference point of the agentFlap fault's period. */
  flapEpoch: number;
}

export interface SimStats {
  /** SSM API calls per operation, throttled ones included. */
  calls: Record<string, number>;
  throttled: number;
  throttledByOp: Record<string, number>;
  /** SSM error responses by __type (ThrottlingException included). */
  errors: Record<string, number>;
  commandsSent: number;
  invocationsCreated: number;
  reboots: number;
  /** Most invocations ever in flight (sent, not yet terminal) at once: proves a concurrency cap. */
  maxInFlight: number;
  /** Inventory HTTP calls (`get` one instance, `lookup` many, `list` a page); not SSM calls. */
  inventoryCalls: { get: number; lookup: number; list: number };
}

function emptyStats(): SimStats {
  return { calls: {}, throttled: 0, throttledByOp: {}, errors: {}, commandsSent: 0, invocationsCreated: 0, reboots: 0, maxInFlight: 0, inventoryCalls: { get: 0, lookup: 0, list: 0 } };
}

/** Cloud-side facts the inventory reports besides the modelled Windows server. */
export interface CloudAttributes {
  tags: Record<string, string>;
  /** 'windows' unless set (a test can make an instance look like Linux). */
  platform: string;
  /** The EC2 state: 'running' unless set (e.g. 'stopped'). */
  state: string;
}

const TERMINAL: ReadonlySet<string> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

/**
 * All simulator state, in memory. No logic beyond bookkeeping: services decide, the store
 * remembers. Tests may read it directly; change it through AdminService so timers follow.
 */
@Injectable()
export class SimStore {
  readonly instances = new Map<string, SimInstance>();
  readonly runtime = new Map<string, InstanceRuntime>();
  readonly commands = new Map<string, SimCommand>();
  /** Invocations per command, keyed by instance id. */
  readonly invocations = new Map<string, Map<string, SimInvocation>>();
  /** Invocations per instance, in send order. */
  readonly invocationsByInstance = new Map<string, SimInvocation[]>();
  globalFaults: GlobalFaultConfig = { ...NO_FAULTS, apiRateLimit: null };
  readonly instanceFaults = new Map<string, Partial<FaultConfig>>();
  stats: SimStats = emptyStats();
  /** Tags, platform and EC2 state per instance (absent = none, windows, running). */
  readonly cloud = new Map<string, Partial<CloudAttributes>>();
  /** Invocations not yet terminal when last looked at (pruned on every send and read). */
  private readonly live = new Set<SimInvocation>();

  addInstance(inst: SimInstance, now: number = Date.now()): void {
    this.instances.set(inst.instanceId, inst);
    this.runtime.set(inst.instanceId, { lastPingAt: now, rebootAt: null, downSince: null, flapEpoch: now });
    this.invocationsByInstance.set(inst.instanceId, []);
  }

  /** Replaces the modelled state of an existing instance (runtime and history are kept). */
  replaceInstance(inst: SimInstance): void {
    this.instances.set(inst.instanceId, inst);
  }

  getInstance(id: string): SimInstance | undefined {
    return this.instances.get(id);
  }

  getRuntime(id: string): InstanceRuntime | undefined {
    return this.runtime.get(id);
  }

  listInstances(): SimInstance[] {
    return [...this.instances.values()];
  }

  addCommand(cmd: SimCommand, invocations: SimInvocation[]): void {
    this.commands.set(cmd.commandId, cmd);
    const byInstance = new Map<string, SimInvocation>();
    for (const inv of invocations) {
      byInstance.set(inv.instanceId, inv);
      this.invocationsByInstance.get(inv.instanceId)?.push(inv);
    }
    this.invocations.set(cmd.commandId, byInstance);
    this.stats.commandsSent += 1;
    this.stats.invocationsCreated += invocations.length;
    // The count in flight only grows on a send, so measuring it here catches every maximum.
    for (const inv of invocations) this.live.add(inv);
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight());
  }

  /** Invocations sent and not yet terminal, now. */
  inFlight(): number {
    for (const inv of this.live) if (TERMINAL.has(inv.status)) this.live.delete(inv);
    return this.live.size;
  }

  /** Zeroes the counters (calls, maxInFlight, …); instances, commands and faults stay. */
  resetStats(): void {
    this.stats = emptyStats();
    this.stats.maxInFlight = this.inFlight();
  }

  getCommand(id: string): SimCommand | undefined {
    return this.commands.get(id);
  }

  getInvocation(commandId: string, instanceId: string): SimInvocation | undefined {
    return this.invocations.get(commandId)?.get(instanceId);
  }

  invocationsOfCommand(commandId: string): SimInvocation[] {
    return [...(this.invocations.get(commandId)?.values() ?? [])];
  }

  invocationsOfInstance(instanceId: string): SimInvocation[] {
    return this.invocationsByInstance.get(instanceId) ?? [];
  }

  allInvocations(): SimInvocation[] {
    const out: SimInvocation[] = [];
    for (const m of this.invocations.values()) out.push(...m.values());
    return out;
  }

  countCall(op: string): void {
    this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
  }

  countError(type: string, op: string): void {
    this.stats.errors[type] = (this.stats.errors[type] ?? 0) + 1;
    if (type === 'ThrottlingException') {
      this.stats.throttled += 1;
      this.stats.throttledByOp[op] = (this.stats.throttledByOp[op] ?? 0) + 1;
    }
  }

  clear(globalFaults: GlobalFaultConfig): void {
    this.instances.clear();
    this.runtime.clear();
    this.commands.clear();
    this.invocations.clear();
    this.invocationsByInstance.clear();
    this.instanceFaults.clear();
    this.cloud.clear();
    this.live.clear();
    this.globalFaults = globalFaults;
    this.stats = emptyStats();
  }
}
