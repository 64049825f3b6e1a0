import { Inject, Injectable } from '@nestjs/common';
import { INVENTORY, Inventory, INVENTORY_OWNERS_MAX, InventoryRecord } from '@rdpfix/channel';

interface Waiter {
  resolve: (rec: InventoryRecord | null) => void;
  reject: (err: unknown) => void;
}

interface Region {
  /** Who waits for each id, in arrival order. */
  waiting: Map<string, Waiter[]>;
  timer: NodeJS.Timeout | null;
}

/**
 * A campaign precheck waits this long for others to join its inventory call (a timer: no CPU).
 * Shorter than the instance-information linger that follows it: the two add up on every target's
 * path, the canary's included.
 */
export const INVENTORY_LINGER_MS = 50;

/**
 * The precheck's inventory read (owner, region, platform) for many campaign targets in one call
 * (Inventory.owners: EC2 DescribeInstances with 200 ids, JD describeInstances, the HTTP lookup)
 * instead of one find() each: 10,000 targets made 10,000 inventory calls (and, on AWS, as many
 * unbudgeted SSM calls for an agent state the precheck does not use).
 *
 * - A single fix, or an adapter without `owners`, asks find() at once, as before.
 * - A campaign target waits at most INVENTORY_LINGER_MS; a call goes as soon as 200 ids wait.
 * - An id the answer leaves out is not in the inventory (null). A failed call rejects every
 *   target waiting for it with the call's error: unknown, never "not found".
 */
@Injectable()
export class InventoryBatcher {
  private readonly regions = new Map<string, Region>();

  constructor(@Inject(INVENTORY) private readonly inventory: Inventory) {}

  find(instanceId: string, region: string, batched: boolean): Promise<InventoryRecord | null> {
    if (!batched || !this.inventory.owners) return this.inventory.find(instanceId, region);
    return new Promise((resolve, reject) => {
      let reg = this.regions.get(region);
      if (!reg) this.regions.set(region, (reg = { waiting: new Map(), timer: null }));
      const list = reg.waiting.get(instanceId);
      if (list) list.push({ resolve, reject });
      else reg.waiting.set(instanceId, [{ resolve, reject }]);
      if (reg.waiting.size >= INVENTORY_OWNERS_MAX) this.flush(region);
      else if (!reg.timer) reg.timer = setTimeout(() => this.flush(region), INVENTORY_LINGER_MS);
    });
  }

  /** Sends what waits in `region`, INVENTORY_OWNERS_MAX ids per call. */
  private flush(region: string): void {
    const reg = this.regions.get(region);
    if (!reg) return;
    if (reg.timer) clearTimeout(reg.timer);
    this.regions.delete(region);
    const entries = [...reg.waiting];
    for (let i = 0; i < entries.length; i += INVENTORY_OWNERS_MAX) void this.call(region, new Map(entries.slice(i, i + INVENTORY_OWNERS_MAX)));
  }

  private async call(region: string, waiting: Map<string, Waiter[]>): Promise<void> {
    let found: Map<string, InventoryRecord>;
    try {
      found = new Map((await this.inventory.owners!([...waiting.keys()], region)).map((rec) => [rec.instanceId, rec]));
    } catch (err) {
      for (const list of waiting.values()) for (const w of list) w.reject(err);
      return;
    }
    for (const [id, list] of waiting) for (const w of list) w.resolve(found.get(id) ?? null);
  }
}
