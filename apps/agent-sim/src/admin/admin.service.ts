import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Rng } from '../common/rng';
import { AgentService } from '../agent/agent.service';
import { FaultConfig, GlobalFaultConfig, NO_FAULTS } from '../faults/fault-config';
import { FaultService } from '../faults/fault.service';
import { HeldSend, HeldSends } from '../faults/held-sends';
import { InstanceLedger, RunLedger } from '../ledger/run-ledger';
import { Scheduler } from '../lifecycle/scheduler';
import { generateFleet, FleetSpec } from '../model/fleet';
import { GroundTruth, evaluateGroundTruth } from '../model/ground-truth';
import { InstanceOverrides, SimInstance } from '../model/instance';
import { InstanceSpec, applyOverrides, buildInstance, normalizeInstance } from '../model/instance-factory';
import { CloudAttributes, SimStats, SimStore } from '../store/sim-store';
import { ReceivedCommand, receivedCommand } from './received-command';

export interface AgentView {
  pingStatus: 'Online' | 'ConnectionLost';
  lastPingDateTime: string;
  restarting: boolean;
  restartScheduledAt: string | null;
}

export interface InstanceDetail {
  instance: SimInstance;
  agent: AgentView;
  groundTruth: GroundTruth;
  commands: ReceivedCommand[];
}

export interface FleetResult {
  count: number;
  instanceIds: string[];
  byPreset: Record<string, number>;
  byOs: Record<string, number>;
}

/**
 * Everything the admin API can do, callable in-process too (startSimulator().admin).
 * Changes go through here so waiting invocations and timers react to them.
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly store: SimStore,
    private readonly agent: AgentService,
    private readonly faults: FaultService,
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly ledger: RunLedger,
    private readonly heldSends: HeldSends,
  ) {}

  /** What reached this server: every changing script by run id, received / executed / refused (at-most-once tests). */
  runLedger(id: string): InstanceLedger {
    this.getInstance(id);
    return this.ledger.view(id);
  }

  /** Sends held open right now (fault holdSends). */
  held(): HeldSend[] {
    return this.heldSends.list();
  }

  createInstance(spec: InstanceSpec): SimInstance {
    if (spec.instanceId && this.store.getInstance(spec.instanceId)) {
      throw new ConflictException(`instance ${spec.instanceId} already exists`);
    }
    const inst = buildInstance(spec, this.rng);
    this.store.addInstance(inst);
    return inst;
  }

  createFleet(spec: FleetSpec): FleetResult {
    const instances = generateFleet(spec, this.rng).filter((i) => !this.store.getInstance(i.instanceId));
    const byPreset: Record<string, number> = {};
    const byOs: Record<string, number> = {};
    for (const inst of instances) {
      this.store.addInstance(inst);
      byPreset[inst.preset] = (byPreset[inst.preset] ?? 0) + 1;
      byOs[inst.os] = (byOs[inst.os] ?? 0) + 1;
    }
    return { count: instances.length, instanceIds: instances.map((i) => i.instanceId), byPreset, byOs };
  }

  listInstances(filter: { tenantId?: string; region?: string } = {}): SimInstance[] {
    return this.store
      .listInstances()
      .filter((i) => (filter.tenantId === undefined || i.tenantId === filter.tenantId) && (filter.region === undefined || i.region === filter.region));
  }

  getInstance(id: string): SimInstance {
    const inst = this.store.getInstance(id);
    if (!inst) throw new NotFoundException(`instance ${id} not found`);
    return inst;
  }

  detail(id: string): InstanceDetail {
    return { instance: this.getInstance(id), agent: this.agentView(id), groundTruth: this.groundTruth(id), commands: this.commands(id) };
  }

  /** Changes modelled fields of a live instance (e.g. a GPO appears, a user logs on). */
  updateInstance(id: string, overrides: InstanceOverrides): SimInstance {
    const current = this.getInstance(id);
    this.agent.notePing(id);
    const next = normalizeInstance(applyOverrides(current, overrides));
    this.store.replaceInstance(next);
    this.agent.touch(id);
    return next;
  }

  commands(id: string): ReceivedCommand[] {
    this.getInstance(id);
    return this.store.invocationsOfInstance(id).map((inv) => receivedCommand(this.store.getCommand(inv.commandId), inv));
  }

  groundTruth(id: string, user?: string): GroundTruth {
    return evaluateGroundTruth(this.getInstance(id), { user, rebooting: this.agent.isRestarting(id) });
  }

  agentView(id: string): AgentView {
    this.getInstance(id);
    const rt = this.store.getRuntime(id)!;
    return {
      pingStatus: this.agent.pingStatus(id),
      lastPingDateTime: new Date(this.agent.lastPingAt(id)).toISOString(),
      restarting: rt.downSince !== null,
      restartScheduledAt: rt.rebootAt !== null ? new Date(rt.rebootAt).toISOString() : null,
    };
  }

  setAgentOnline(id: string, online: boolean): AgentView {
    this.getInstance(id);
    this.agent.setOnline(id, online);
    return this.agentView(id);
  }

  /** The cloud's reboot API: the machine goes down now and comes back after rebootDownMs. */
  restart(id: string): AgentView {
    this.getInstance(id);
    this.agent.restartNow(id);
    return this.agentView(id);
  }

  getFaults(): { global: GlobalFaultConfig; instances: Record<string, Partial<FaultConfig>> } {
    return { global: this.store.globalFaults, instances: Object.fromEntries(this.store.instanceFaults) };
  }

  /** PUT semantics: the given fields, everything else back to "no fault". */
  setGlobalFaults(cfg: Partial<GlobalFaultConfig>): GlobalFaultConfig {
    checkFlap(cfg.agentFlap);
    const ids = this.store.listInstances().map((i) => i.instanceId);
    for (const id of ids) this.agent.notePing(id);
    const next: GlobalFaultConfig = { ...NO_FAULTS, apiRateLimit: null };
    for (const [k, v] of Object.entries(cfg)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
    this.faults.setGlobal(next);
    for (const id of ids) this.agent.touch(id);
    return next;
  }

  /** PUT semantics for one instance: only the given fields override the global faults ({} clears). */
  setInstanceFaults(id: string, cfg: Partial<FaultConfig>): Partial<FaultConfig> {
    this.getInstance(id);
    checkFlap(cfg.agentFlap);
    this.agent.notePing(id);
    const clean: Partial<FaultConfig> = {};
    for (const [k, v] of Object.entries(cfg)) if (v !== undefined) (clean as Record<string, unknown>)[k] = v;
    this.faults.setInstance(id, clean);
    this.agent.touch(id);
    return clean;
  }

  /** Forgets all instances, commands, faults and counters; pending timers are dropped. */
  reset(): void {
    this.scheduler.clearAll();
    this.store.clear(this.faults.initialGlobal());
    this.ledger.clear();
    this.heldSends.clear();
    this.faults.setGlobal(this.store.globalFaults);
  }

  stats(): SimStats & { instances: number; commands: number; timers: number; inFlight: number } {
    const inFlight = this.store.inFlight();
    return { ...this.store.stats, instances: this.store.instances.size, commands: this.store.commands.size, timers: this.scheduler.size, inFlight };
  }

  resetStats(): void {
    this.store.resetStats();
  }

  /** Sets inventory-side attributes of an instance (merged with what it had). */
  setCloudAttributes(id: string, attrs: Partial<CloudAttributes>): Partial<CloudAttributes> {
    this.getInstance(id);
    const next = { ...(this.store.cloud.get(id) ?? {}) };
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    this.store.cloud.set(id, next);
    return next;
  }
}

function checkFlap(flap: FaultConfig['agentFlap'] | undefined): void {
  if (flap && flap.downMs > flap.periodMs) throw new BadRequestException('agentFlap.downMs must not exceed agentFlap.periodMs');
}
