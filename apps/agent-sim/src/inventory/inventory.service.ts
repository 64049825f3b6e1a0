import { Injectable, NotFoundException } from '@nestjs/common';
import { OsFamily } from '@rdpfix/domain';
import { SimInstance } from '../model/instance';
import { SimStore } from '../store/sim-store';

/** The cloud's describe-instances view: who owns an instance, where, and what it runs. */
export interface InventoryRecord {
  instanceId: string;
  tenantId: string;
  region: string;
  platform: 'windows';
  osFamily: OsFamily;
  /** An OS restart does not change the EC2 state. */
  state: 'running';
}

@Injectable()
export class InventoryService {
  constructor(private readonly store: SimStore) {}

  get(id: string): InventoryRecord {
    const inst = this.store.getInstance(id);
    if (!inst) throw new NotFoundException(`instance ${id} not found`);
    return toRecord(inst);
  }

  /**
   * Moves an instance to another tenant, as a cloud account transfer does: the inventory answers
   * with the new owner at once; the server itself (and its history) is unchanged.
   */
  transfer(id: string, tenantId: string): InventoryRecord {
    const inst = this.store.getInstance(id);
    if (!inst) throw new NotFoundException(`instance ${id} not found`);
    this.store.replaceInstance({ ...inst, tenantId });
    return toRecord(this.store.getInstance(id)!);
  }

  list(filter: { tenantId?: string; region?: string }): InventoryRecord[] {
    return this.store
      .listInstances()
      .filter((i) => (filter.tenantId === undefined || i.tenantId === filter.tenantId) && (filter.region === undefined || i.region === filter.region))
      .map(toRecord);
  }
}

function toRecord(i: SimInstance): InventoryRecord {
  return { instanceId: i.instanceId, tenantId: i.tenantId, region: i.region, platform: 'windows', osFamily: i.os, state: 'running' };
}
