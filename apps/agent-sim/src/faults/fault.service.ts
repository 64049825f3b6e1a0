import { Inject, Injectable } from '@nestjs/common';
import { Rng } from '../common/rng';
import { SIM_OPTIONS, SimulatorOptions } from '../config/simulator-options';
import { OutputFaults } from '../scripts/script-executor';
import { SimStore } from '../store/sim-store';
import { FaultConfig, GlobalFaultConfig, NO_FAULTS, effectiveFaults } from './fault-config';
import { TokenBucket } from './token-bucket';

/** Decides, per call and per run, which configured faults strike. */
@Injectable()
export class FaultService {
  private bucket: TokenBucket | null = null;

  constructor(
    private readonly store: SimStore,
    private readonly rng: Rng,
    @Inject(SIM_OPTIONS) private readonly options: SimulatorOptions,
  ) {
    this.setGlobal(this.initialGlobal());
  }

  initialGlobal(): GlobalFaultConfig {
    const cfg: GlobalFaultConfig = { ...NO_FAULTS, apiRateLimit: null, ...this.options.faults };
    if (this.options.apiRateLimit !== null) cfg.apiRateLimit = this.options.apiRateLimit;
    return cfg;
  }

  setGlobal(cfg: GlobalFaultConfig): void {
    this.store.globalFaults = cfg;
    this.bucket = cfg.apiRateLimit !== null && cfg.apiRateLimit > 0 ? new TokenBucket(cfg.apiRateLimit) : null;
  }

  setInstance(instanceId: string, cfg: Partial<FaultConfig>): void {
    if (Object.values(cfg).every((v) => v === undefined)) this.store.instanceFaults.delete(instanceId);
    else this.store.instanceFaults.set(instanceId, cfg);
  }

  faultsFor(instanceId: string): FaultConfig {
    return effectiveFaults(this.store.globalFaults, this.store.instanceFaults.get(instanceId));
  }

  /**
   * Whether this SSM call is throttled: first the account-wide rate limit, then the global
   * throttle probability, then the highest per-instance probability of the instances it names.
   */
  shouldThrottle(instanceIds: string[]): boolean {
    if (this.bucket && !this.bucket.tryTake()) return true;
    let p = this.store.globalFaults.throttleRate;
    for (const id of instanceIds) {
      const own = this.store.instanceFaults.get(id)?.throttleRate;
      if (own !== undefined) p = Math.max(p, own);
    }
    return this.rng.chance(p);
  }

  undeliverable(instanceId: string): boolean {
    return this.rng.chance(this.faultsFor(instanceId).undeliverableRate);
  }

  hangs(instanceId: string, scriptName: string | null): boolean {
    return scriptName !== null && this.faultsFor(instanceId).hangScripts.includes(scriptName);
  }

  /** Whether the send faults of these instances strike a send of `script` (sendFaultScripts). */
  private sendFaultApplies(f: FaultConfig, script: string | null): boolean {
    return f.sendFaultScripts.length === 0 || (script !== null && f.sendFaultScripts.includes(script));
  }

  /** SendCommand acts, then its connection is dropped without an answer (highest probability of the instances). */
  dropsSendResponse(instanceIds: string[], script: string | null): boolean {
    const rates = instanceIds.map((id) => this.faultsFor(id)).filter((f) => this.sendFaultApplies(f, script)).map((f) => f.dropSendResponseRate);
    return this.rng.chance(Math.max(0, ...rates));
  }

  /** How long a command stays out of listings after it became visible (the longest of its instances). */
  listingDelayMs(instanceIds: string[]): number {
    return Math.max(this.store.globalFaults.delayListingMs, ...instanceIds.map((id) => this.faultsFor(id).delayListingMs));
  }

  /** Whether a send to these instances is held open (test hook for kills timed on events). */
  holdSends(instanceIds: string[], script: string | null): 'before' | 'after' | null {
    for (const id of instanceIds) {
      const f = this.faultsFor(id);
      if (f.holdSends && this.sendFaultApplies(f, script)) return f.holdSends;
    }
    return null;
  }

  outputFaults(instanceId: string): OutputFaults {
    const f = this.faultsFor(instanceId);
    return {
      fail: this.rng.chance(f.scriptFailureRate),
      garbage: this.rng.chance(f.garbageOutputRate),
      truncate: this.rng.chance(f.truncateOutputRate),
    };
  }
}
