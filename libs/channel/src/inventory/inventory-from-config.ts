import { AppConfig, configuredRegions, InventoryName, parseEndpointMap, parseInventoryMap } from '@rdpfix/config';
import { awsStaticCredentials } from '../aws/aws-client-options';
import { credentialProvider } from '../jdcloud/jdcloud-credentials';
import { JdcloudVmClient } from '../jdcloud/jdcloud-vm';
import { AwsInventory } from './aws-inventory';
import { HttpInventory } from './http-inventory';
import { Inventory, InventoryQuery } from './inventory.port';
import { JdcloudInventory } from './jdcloud-inventory';
import { queryAdapter, RegionalInventory } from './regional-inventory';

/** Regions an adapter answers for when a call names none: its INVENTORY_BY_REGION entries, else REGIONS. */
function regionsOf(c: AppConfig, name: InventoryName, byRegion: Record<string, InventoryName>, fallback: string[]): string[] {
  const mapped = Object.entries(byRegion).filter(([, n]) => n === name).map(([r]) => r);
  const listed = configuredRegions(c).filter((r) => (byRegion[r] ?? c.INVENTORY) === name);
  const regions = [...new Set([...mapped, ...listed])];
  return regions.length ? regions : fallback;
}

export function buildInventoryAdapter(c: AppConfig, name: InventoryName, byRegion: Record<string, InventoryName> = {}): Inventory {
  switch (name) {
    case 'http':
      return new HttpInventory(c.INVENTORY_URL, c.INVENTORY_TOKEN);
    case 'aws': {
      const ssmMap = c.CHANNEL_ENDPOINTS ? parseEndpointMap(c.CHANNEL_ENDPOINTS) : {};
      return new AwsInventory({
        regions: regionsOf(c, 'aws', byRegion, []),
        tenantTagKey: c.AWS_TENANT_TAG_KEY,
        ec2EndpointFor: () => c.EC2_ENDPOINT,
        ssmEndpointFor: (region) => ssmMap[region] ?? c.CHANNEL_ENDPOINT,
        credentials: awsStaticCredentials(c),
        connectTimeoutMs: c.CHANNEL_CONNECT_TIMEOUT_MS,
        requestTimeoutMs: c.CHANNEL_REQUEST_TIMEOUT_MS,
        maxAttempts: c.CHANNEL_MAX_ATTEMPTS,
      });
    }
    case 'jdcloud': {
      const vm = new JdcloudVmClient({
        endpointFor: () => c.JDCLOUD_VM_ENDPOINT,
        credentials: credentialProvider({ accessKeyId: c.JDCLOUD_ACCESS_KEY_ID, secretAccessKey: c.JDCLOUD_SECRET_ACCESS_KEY, file: c.JDCLOUD_CREDENTIALS_FILE }),
        connectTimeoutMs: c.JDCLOUD_CONNECT_TIMEOUT_MS,
        requestTimeoutMs: c.JDCLOUD_REQUEST_TIMEOUT_MS,
        maxAttempts: c.CHANNEL_MAX_ATTEMPTS,
      });
      return new JdcloudInventory({ vm, regions: regionsOf(c, 'jdcloud', byRegion, ['cn-north-1']), ownerTagKey: c.JDCLOUD_OWNER_TAG_KEY });
    }
  }
}

/**
 * The inventory the configuration asks for: INVENTORY for every region, INVENTORY_BY_REGION
 * overriding it per region (e.g. a JD Cloud region). One adapter: itself; several: routed.
 */
export function inventoryFromConfig(c: AppConfig): Inventory {
  const byRegion = c.INVENTORY_BY_REGION ? parseInventoryMap(c.INVENTORY_BY_REGION) : {};
  const names = new Set<InventoryName>([c.INVENTORY as InventoryName, ...Object.values(byRegion)]);
  const adapters = new Map<string, Inventory>([...names].map((n) => [n, buildInventoryAdapter(c, n, byRegion)]));
  if (adapters.size === 1) return adapters.get(c.INVENTORY)!;
  return new RegionalInventory(adapters, c.INVENTORY, byRegion);
}

/** Bulk reads (campaigns): the default adapter's when it has them (HTTP, AWS), else the HTTP inventory's. */
export function inventoryQueryFromConfig(c: AppConfig): InventoryQuery {
  const fallback = new HttpInventory(c.INVENTORY_URL, c.INVENTORY_TOKEN);
  return queryAdapter(buildInventoryAdapter(c, c.INVENTORY as InventoryName, c.INVENTORY_BY_REGION ? parseInventoryMap(c.INVENTORY_BY_REGION) : {}), fallback);
}
