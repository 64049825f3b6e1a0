/** Who owns an instance, where it is and what it runs (the cloud's describe-instances). */
export interface InventoryRecord {
  instanceId: string;
  tenantId: string;
  region: string;
  platform: string;
  osFamily: string | null;
  state: string;
  /** The instance's tags (key -> value); absent when the inventory does not report them. */
  tags?: Record<string, string>;
  /** Whether the guest agent answers, when the inventory knows (AWS: SSM's PingStatus). */
  agentOnline?: boolean;
}

export interface Inventory {
  /**
   * `region`, when the caller knows it, narrows the search (cloud inventories are regional);
   * adapters that are not regional ignore it.
   */
  find(instanceId: string, region?: string): Promise<InventoryRecord | null>;
  /**
   * Optional, for fleet scale: owner, region, platform and state of up to INVENTORY_OWNERS_MAX
   * instances in one call, narrowed to `region` as find() is (no agent state: the precheck asks
   * the channel for that). Unknown ids are absent; a failed call throws, never "not found".
   */
  owners?(instanceIds: string[], region: string): Promise<InventoryRecord[]>;
}

/** The largest batch owners() takes (EC2 filters take 200 values; JD Cloud's pages hold 100). */
export const INVENTORY_OWNERS_MAX = 200;

export const INVENTORY = Symbol('INVENTORY');

/** Instances matching every given field; tags match when each given key has the given value. */
export interface InventoryFilter {
  tenantId?: string;
  region?: string;
  tags?: Record<string, string>;
}

export interface InventoryPage {
  records: InventoryRecord[];
  /** Pass back to get the next page; null on the last one. */
  nextToken: string | null;
}

/** The largest batch lookup() accepts (as EC2 DescribeInstances takes 1,000 ids). */
export const INVENTORY_LOOKUP_MAX = 1000;

/**
 * Bulk reads of the inventory, for campaigns: many instances per call instead of one.
 * Implemented by the same adapter as Inventory.
 */
export interface InventoryQuery {
  /** Records of up to INVENTORY_LOOKUP_MAX ids; unknown ids are simply absent. */
  lookup(instanceIds: string[]): Promise<InventoryRecord[]>;
  /** One page of the instances matching `filter`. */
  list(filter: InventoryFilter, pageToken?: string | null, pageSize?: number): Promise<InventoryPage>;
}

export const INVENTORY_QUERY = Symbol('INVENTORY_QUERY');
