import { Inventory, InventoryRecord } from './inventory.port';

/** Inventory over HTTP (`GET {base}/inventory/instances/:id`), as the simulator serves it. */
export class HttpInventory implements Inventory {
  constructor(private readonly baseUrl: string) {}

  async find(instanceId: string): Promise<InventoryRecord | null> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/inventory/instances/${encodeURIComponent(instanceId)}`, {
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`inventory answered ${res.status}`);
    return (await res.json()) as InventoryRecord;
  }
}
