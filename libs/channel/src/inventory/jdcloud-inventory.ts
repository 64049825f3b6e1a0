import { JdcloudApiError } from '../jdcloud/jdcloud-errors';
import { JdcloudVmClient, JdVmInstance } from '../jdcloud/jdcloud-vm';
import { Inventory, INVENTORY_OWNERS_MAX, InventoryRecord } from './inventory.port';

export interface JdcloudInventoryOptions {
  vm: JdcloudVmClient;
  /** JD regions to look in (describeInstances is regional; the port's find() has no region). */
  regions: string[];
  /** The VM tag whose value is the owning tenant. */
  ownerTagKey: string;
}

/**
 * The inventory port on JD Cloud: VM describeInstances filtered by instanceId. The owner is the
 * value of a configurable tag (JD has no tenant field: describeInstances only lists the caller
 * account's VMs), the platform is `osType` (windows | linux) and the state is the VM `status`.
 * A VM without the owner tag has tenant '' (only admin/support roles can act on it).
 * Also the restart path through the cloud: rebootInstance, for when the guest refuses its own.
 */
export class JdcloudInventory implements Inventory {
  constructor(private readonly opts: JdcloudInventoryOptions) {}

  async find(instanceId: string, region?: string): Promise<InventoryRecord | null> {
    for (const r of region ? [region] : this.opts.regions) {
      const vm = (await this.opts.vm.describeInstances(r, [instanceId])).find((v) => v.instanceId === instanceId);
      if (vm) return this.record(vm, r);
    }
    return null;
  }

  /** describeInstances filtered by up to 100 ids per call (the VM client pages and chunks). */
  async owners(instanceIds: string[], region: string): Promise<InventoryRecord[]> {
    if (instanceIds.length > INVENTORY_OWNERS_MAX) throw new Error(`inventory owners() takes at most ${INVENTORY_OWNERS_MAX} ids`);
    const wanted = new Set(instanceIds);
    return (await this.opts.vm.describeInstances(region, instanceIds)).filter((v) => wanted.has(v.instanceId as string)).map((v) => this.record(v, region));
  }

  private record(vm: JdVmInstance, region: string): InventoryRecord {
    const owner = (vm.tags ?? []).find((t) => t.key === this.opts.ownerTagKey)?.value ?? '';
    return {
      instanceId: vm.instanceId as string,
      tenantId: owner,
      region,
      platform: (vm.osType ?? 'unknown').toLowerCase(),
      osFamily: vm.osVersion ?? null,
      state: vm.status ?? 'unknown',
    };
  }

  /** Windows, running, owned by `tenantId`: the preconditions of a remediation on JD Cloud. */
  static eligible(rec: InventoryRecord, tenantId?: string): { ok: boolean; why: string | null } {
    if (rec.platform !== 'windows') return { ok: false, why: `osType is ${rec.platform}, not windows` };
    if (rec.state !== 'running') return { ok: false, why: `VM status is ${rec.state}, not running` };
    if (tenantId !== undefined && rec.tenantId !== tenantId) return { ok: false, why: 'owned by another tenant' };
    return { ok: true, why: null };
  }

  /**
   * Restarts the VM through the cloud API (only a running VM with no task in progress; 400
   * FAILED_PRECONDITION otherwise). Not retried: a lost answer must not cause a second restart.
   */
  async rebootInstance(region: string, instanceId: string): Promise<{ rebooted: boolean; reason: string | null }> {
    try {
      await this.opts.vm.rebootInstance(region, instanceId);
      return { rebooted: true, reason: null };
    } catch (err) {
      if (err instanceof JdcloudApiError && err.code >= 400 && err.code < 500) return { rebooted: false, reason: `${err.status || err.code}: ${err.message}` };
      throw err;
    }
  }
}
