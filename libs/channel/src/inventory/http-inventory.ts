import { Inventory, INVENTORY_LOOKUP_MAX, InventoryFilter, InventoryPage, InventoryQuery, InventoryRecord } from './inventory.port';

/**
 * Inventory over HTTP, as the simulator serves it: `GET {base}/inventory/instances/:id`,
 * `POST {base}/inventory/instances/lookup` and `GET {base}/inventory/instances?…` (paged).
 * The contract, for anyone serving it from their own CMDB, is docs/inventory.md. With a token
 * (INVENTORY_TOKEN) every call carries `Authorization: Bearer <token>`.
 */
export class HttpInventory implements Inventory, InventoryQuery {
  private readonly auth: Record<string, string>;

  constructor(
    private readonly baseUrl: string,
    token?: string,
  ) {
    this.auth = token ? { authorization: `Bearer ${token}` } : {};
  }

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, '')}${path}`;
  }

  async find(instanceId: string): Promise<InventoryRecord | null> {
    const res = await fetch(this.url(`/inventory/instances/${encodeURIComponent(instanceId)}`), {
      headers: this.auth,
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`inventory answered ${res.status}`);
    return (await res.json()) as InventoryRecord;
  }

  /** The bulk lookup (not regional here, as find() is not). */
  owners(instanceIds: string[]): Promise<InventoryRecord[]> {
    return this.lookup(instanceIds);
  }

  async lookup(instanceIds: string[]): Promise<InventoryRecord[]> {
    if (instanceIds.length === 0) return [];
    if (instanceIds.length > INVENTORY_LOOKUP_MAX) throw new Error(`inventory lookup takes at most ${INVENTORY_LOOKUP_MAX} ids`);
    const res = await fetch(this.url('/inventory/instances/lookup'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.auth },
      body: JSON.stringify({ instanceIds }),
      signal: AbortSignal.timeout(10000),
    });
    if (!res.ok) throw new Error(`inventory lookup answered ${res.status}`);
    return ((await res.json()) as { instances: InventoryRecord[] }).instances;
  }

  async list(filter: InventoryFilter, pageToken?: string | null, pageSize = 1000): Promise<InventoryPage> {
    const q = new URLSearchParams();
    if (filter.tenantId !== undefined) q.set('tenantId', filter.tenantId);
    if (filter.region !== undefined) q.set('region', filter.region);
    for (const [k, v] of Object.entries(filter.tags ?? {})) q.append(`tag:${k}`, v);
    q.set('maxResults', String(pageSize));
    if (pageToken) q.set('nextToken', pageToken);
    const res = await fetch(this.url(`/inventory/instances?${q.toString()}`), { headers: this.auth, signal: AbortSignal.timeout(10000) });
    if (!res.ok) throw new Error(`inventory list answered ${res.status}`);
    const body = (await res.json()) as { instances: InventoryRecord[]; nextToken?: string | null };
    return { records: body.instances, nextToken: body.nextToken ?? null };
  }
}
