import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { OsFamily } from '@rdpfix/domain';
import { SimInstance } from '../model/instance';
import { SimStore } from '../store/sim-store';

/** The cloud's describe-instances view: who owns an instance, where, what it runs, its tags. */
export interface InventoryRecord {
  instanceId: string;
  tenantId: string;
  region: string;
  /** 'windows' unless a test set another platform (SimStore.cloud). */
  platform: string;
  osFamily: OsFamily;
  /** The EC2 state; an OS restart does not change it. 'running' unless a test stopped it. */
  state: string;
  /** Present when the instance has tags. */
  tags?: Record<string, string>;
}

export interface InventoryListFilter {
  tenantId?: string;
  region?: string;
  tags?: Record<string, string>;
}

/** Largest page of a listing, and largest batch of a lookup (EC2's DescribeInstances limits). */
export const MAX_PAGE = 1000;

/** A listing being paged through: the matching ids at its first page (like a cloud's paginated snapshot). */
interface Listing {
  ids: string[];
  at: number;
}

const LISTING_TTL_MS = 60_000;

@Injectable()
export class InventoryService {
  private readonly listings = new Map<string, Listing>();
  private nextListing = 1;

  constructor(private readonly store: SimStore) {}

  get(id: string): InventoryRecord {
    this.store.stats.inventoryCalls.get += 1;
    const inst = this.store.getInstance(id);
    if (!inst) throw new NotFoundException(`instance ${id} not found`);
    return this.toRecord(inst);
  }

  /**
   * Moves an instance to another tenant, as a cloud account transfer does: the inventory answers
   * with the new owner at once; the server itself (and its history) is unchanged.
   */
  transfer(id: string, tenantId: string): InventoryRecord {
    const inst = this.store.getInstance(id);
    if (!inst) throw new NotFoundException(`instance ${id} not found`);
    this.store.replaceInstance({ ...inst, tenantId });
    return this.toRecord(this.store.getInstance(id)!);
  }

  /** Every matching instance, or one page of them when `maxResults` is given (`nextToken` = offset). */
  list(filter: InventoryListFilter, page?: { maxResults?: number; nextToken?: string }): { instances: InventoryRecord[]; nextToken?: string | null } {
    this.store.stats.inventoryCalls.list += 1;
    if (page?.maxResults === undefined) return { instances: this.store.listInstances().filter((i) => this.matches(i, filter)).map((i) => this.toRecord(i)) };
    const size = Math.min(MAX_PAGE, Math.max(1, page.maxResults));
    // The first page snapshots the matching ids; later pages read the snapshot (no rescan per page).
    let key: string;
    let from: number;
    let listing: Listing | undefined;
    if (page.nextToken) {
      const m = /^(\d+):(\d+)$/.exec(page.nextToken);
      listing = m ? this.listings.get(m[1]) : undefined;
      if (!m || !listing) throw new BadRequestException('nextToken is not one this inventory issued (or it expired)');
      key = m[1];
      from = Number(m[2]);
    } else {
      for (const [k, l] of this.listings) if (Date.now() - l.at > LISTING_TTL_MS) this.listings.delete(k);
      key = String(this.nextListing++);
      listing = { ids: this.store.listInstances().filter((i) => this.matches(i, filter)).map((i) => i.instanceId), at: Date.now() };
      this.listings.set(key, listing);
      from = 0;
    }
    const out: InventoryRecord[] = [];
    for (const id of listing.ids.slice(from, from + size)) {
      const inst = this.store.getInstance(id);
      if (inst) out.push(this.toRecord(inst));
    }
    const more = from + size < listing.ids.length;
    if (!more) this.listings.delete(key);
    return { instances: out, nextToken: more ? `${key}:${from + size}` : null };
  }

  /** Records of the given ids that exist (unknown ids are left out), at most MAX_PAGE per call. */
  lookup(ids: unknown): { instances: InventoryRecord[] } {
    this.store.stats.inventoryCalls.lookup += 1;
    if (!Array.isArray(ids) || ids.length > MAX_PAGE || ids.some((i) => typeof i !== 'string')) {
      throw new BadRequestException(`instanceIds must be a list of at most ${MAX_PAGE} strings`);
    }
    const out: InventoryRecord[] = [];
    for (const id of ids as string[]) {
      const inst = this.store.getInstance(id);
      if (inst) out.push(this.toRecord(inst));
    }
    return { instances: out };
  }

  private matches(i: SimInstance, f: InventoryListFilter): boolean {
    if (f.tenantId !== undefined && i.tenantId !== f.tenantId) return false;
    if (f.region !== undefined && i.region !== f.region) return false;
    if (f.tags) {
      const tags = this.store.cloud.get(i.instanceId)?.tags ?? {};
      for (const [k, v] of Object.entries(f.tags)) if (tags[k] !== v) return false;
    }
    return true;
  }

  private toRecord(i: SimInstance): InventoryRecord {
    const c = this.store.cloud.get(i.instanceId);
    return {
      instanceId: i.instanceId,
      tenantId: i.tenantId,
      region: i.region,
      platform: c?.platform ?? 'windows',
      osFamily: i.os,
      state: c?.state ?? 'running',
      ...(c?.tags && Object.keys(c.tags).length ? { tags: c.tags } : {}),
    };
  }
}
