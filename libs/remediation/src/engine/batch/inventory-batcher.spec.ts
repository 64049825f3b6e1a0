import { Inventory, InventoryRecord } from '@rdpfix/channel';
import { INVENTORY_LINGER_MS, InventoryBatcher } from './inventory-batcher';

/** An inventory that knows `known` ids, records every call, and fails owners() while `failing`. */
function fakeInventory(known: Set<string>, withOwners = true) {
  const calls: { op: 'find' | 'owners'; ids: string[]; region: string }[] = [];
  const rec = (id: string, region: string): InventoryRecord => ({ instanceId: id, tenantId: `t-${id}`, region, platform: 'windows', osFamily: null, state: 'running' });
  const state = { failing: false };
  const inv: Inventory = {
    find: async (id, region) => {
      calls.push({ op: 'find', ids: [id], region: region! });
      return known.has(id) ? rec(id, region!) : null;
    },
  };
  if (withOwners) {
    inv.owners = async (ids, region) => {
      calls.push({ op: 'owners', ids, region });
      if (state.failing) throw new Error('inventory answered 503');
      return ids.filter((id) => known.has(id)).map((id) => rec(id, region));
    };
  }
  return { inv, calls, state };
}

describe('InventoryBatcher', () => {
  it('campaign prechecks of one region share a call of up to 200 ids; each gets its own record, an id the answer leaves out gets null', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `i-${i}`);
    const { inv, calls } = fakeInventory(new Set(ids.filter((_, i) => i % 10 !== 0)));
    const b = new InventoryBatcher(inv);
    const got = await Promise.all(ids.map((id) => b.find(id, 'eu-west-1', true)));
    expect(calls.map((c) => [c.op, c.ids.length])).toEqual([
      ['owners', 200],
      ['owners', 200],
      ['owners', 50],
    ]);
    expect(new Set(calls.flatMap((c) => c.ids)).size).toBe(450);
    got.forEach((rec, i) => {
      if (i % 10 === 0) expect(rec).toBeNull();
      else expect(rec).toMatchObject({ instanceId: ids[i], tenantId: `t-${ids[i]}`, region: 'eu-west-1' });
    });
  });

  it('regions are asked separately, each narrowed to its region; two waiters for one id share its answer', async () => {
    const { inv, calls } = fakeInventory(new Set(['i-a', 'i-b', 'i-c']));
    const b = new InventoryBatcher(inv);
    const got = await Promise.all([b.find('i-a', 'eu-west-1', true), b.find('i-b', 'us-east-1', true), b.find('i-a', 'eu-west-1', true), b.find('i-c', 'eu-west-1', true)]);
    expect(got.map((r) => r && `${r.instanceId}@${r.region}`)).toEqual(['i-a@eu-west-1', 'i-b@us-east-1', 'i-a@eu-west-1', 'i-c@eu-west-1']);
    expect(calls.map((c) => `${c.op} ${c.region} ${c.ids.join(',')}`).sort()).toEqual(['owners eu-west-1 i-a,i-c', 'owners us-east-1 i-b']);
  });

  it('a campaign precheck waits for others at most the linger; a single fix asks find() at once', async () => {
    const { inv, calls } = fakeInventory(new Set(['i-a', 'i-b']));
    const b = new InventoryBatcher(inv);
    const t0 = Date.now();
    await b.find('i-a', 'eu-west-1', true);
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(INVENTORY_LINGER_MS - 5);
    expect(waited).toBeLessThan(INVENTORY_LINGER_MS + 1000);
    // The single fix's call is made in the same turn (no timer), not after a linger.
    const single = b.find('i-b', 'eu-west-1', false);
    expect(calls.map((c) => c.op)).toEqual(['owners', 'find']);
    expect(await single).toMatchObject({ instanceId: 'i-b' });
  });

  it('a failed call rejects every precheck waiting for it with its error (unknown, not "not found"); the next call is fresh', async () => {
    const { inv, calls, state } = fakeInventory(new Set(['i-a', 'i-b']));
    const b = new InventoryBatcher(inv);
    state.failing = true;
    const settled = await Promise.allSettled([b.find('i-a', 'eu-west-1', true), b.find('i-b', 'eu-west-1', true)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(settled.map((s) => (s as PromiseRejectedResult).reason.message)).toEqual(['inventory answered 503', 'inventory answered 503']);
    state.failing = false;
    expect(await b.find('i-a', 'eu-west-1', true)).toMatchObject({ instanceId: 'i-a' });
    expect(calls.map((c) => c.op)).toEqual(['owners', 'owners']);
  });

  it('an inventory without a bulk read is asked find() per precheck, as before', async () => {
    const { inv, calls } = fakeInventory(new Set(['i-a']), false);
    const b = new InventoryBatcher(inv);
    expect(await Promise.all([b.find('i-a', 'eu-west-1', true), b.find('i-x', 'eu-west-1', true)])).toEqual([expect.objectContaining({ instanceId: 'i-a' }), null]);
    expect(calls.map((c) => c.op)).toEqual(['find', 'find']);
  });
});
