/** Who owns an instance, where it is and what it runs (the cloud's describe-instances). */
export interface InventoryRecord {
  instanceId: string;
  tenantId: string;
  region: string;
  platform: string;
  osFamily: string | null;
  state: string;
}

export interface Inventory {
  find(instanceId: string): Promise<InventoryRecord | null>;
}

export const INVENTORY = Symbol('INVENTORY');
