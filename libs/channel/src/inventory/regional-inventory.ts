import { Inventory, InventoryFilter, InventoryPage, InventoryQuery, InventoryRecord } from './inventory.port';

/**
 * One Inventory over several adapters, chosen per region (INVENTORY + INVENTORY_BY_REGION), like
 * the routing command channel: a JD Cloud region asks the JD VM API, an AWS region EC2, the rest
 * the HTTP inventory. A lookup without a region goes to the default adapter and then, if it does
 * not know the instance, to the others.
 */
export class RegionalInventory implements Inventory {
  constructor(
    private readonly adapters: Map<string, Inventory>,
    private readonly defaultName: string,
    private readonly byRegion: Record<string, string>,
  ) {
    if (!adapters.has(defaultName)) throw new Error(`inventory: no adapter ${defaultName}`);
    for (const [region, name] of Object.entries(byRegion)) if (!adapters.has(name)) throw new Error(`inventory: region ${region} names unknown adapter ${name}`);
  }

  nameFor(region: string): string {
    return this.byRegion[region] ?? this.defaultName;
  }

  async find(instanceId: string, region?: string): Promise<InventoryRecord | null> {
    if (region) return this.adapters.get(this.nameFor(region))!.find(instanceId, region);
    const order = [this.defaultName, ...[...this.adapters.keys()].filter((n) => n !== this.defaultName)];
    for (const name of order) {
      const rec = await this.adapters.get(name)!.find(instanceId);
      if (rec) return rec;
    }
    return null;
  }

  /** The region's adapter answers; one without a bulk read is asked one find() per id. */
  async owners(instanceIds: string[], region: string): Promise<InventoryRecord[]> {
    const a = this.adapters.get(this.nameFor(region))!;
    if (a.owners) return a.owners(instanceIds, region);
    return (await Promise.all(instanceIds.map((id) => a.find(id, region)))).filter((r): r is InventoryRecord => r !== null);
  }

  destroy(): void {
    for (const a of this.adapters.values()) (a as { destroy?: () => void }).destroy?.();
  }
}

/** Bulk reads go to the default adapter when it has them, else to the HTTP inventory. */
export function queryAdapter(adapter: Inventory, fallback: InventoryQuery): InventoryQuery {
  const q = adapter as Partial<InventoryQuery>;
  if (typeof q.lookup === 'function' && typeof q.list === 'function') return adapter as unknown as InventoryQuery;
  return fallback;
}

export type { InventoryFilter, InventoryPage };
