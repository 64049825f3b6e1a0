import { DescribeInstancesCommand, EC2Client, Filter, Instance } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AwsStaticCredentials, boundedHttpHandler } from '../aws/aws-client-options';
import { Inventory, INVENTORY_LOOKUP_MAX, INVENTORY_OWNERS_MAX, InventoryFilter, InventoryPage, InventoryQuery, InventoryRecord } from './inventory.port';

export interface AwsInventoryOptions {
  /** Regions to look in when a call names none (EC2 is regional). */
  regions: string[];
  /** The EC2 tag whose value names the owning tenant (AWS_TENANT_TAG_KEY). */
  tenantTagKey: string;
  /** undefined: the real regional endpoints. */
  ec2EndpointFor: (region: string) => string | undefined;
  ssmEndpointFor: (region: string) => string | undefined;
  /** undefined: the SDK's default credential provider chain. */
  credentials?: AwsStaticCredentials;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** EC2 takes at most 200 values in one filter. */
const FILTER_VALUES_MAX = 200;

/**
 * The inventory from AWS itself: EC2 DescribeInstances for owner (a tag, key configurable),
 * region, platform and state; SSM DescribeInstanceInformation for the OS name and whether the
 * agent answers. Reads only (a missing permission surfaces as an error, never as "not found").
 */
export class AwsInventory implements Inventory, InventoryQuery {
  private readonly ec2 = new Map<string, EC2Client>();
  private readonly ssm = new Map<string, SSMClient>();

  constructor(private readonly opts: AwsInventoryOptions) {}

  private ec2For(region: string): EC2Client {
    let c = this.ec2.get(region);
    if (!c) {
      c = new EC2Client({ region, endpoint: this.opts.ec2EndpointFor(region), credentials: this.opts.credentials, maxAttempts: this.opts.maxAttempts, requestHandler: boundedHttpHandler(this.opts.connectTimeoutMs, this.opts.requestTimeoutMs) });
      this.ec2.set(region, c);
    }
    return c;
  }

  private ssmFor(region: string): SSMClient {
    let c = this.ssm.get(region);
    if (!c) {
      c = new SSMClient({ region, endpoint: this.opts.ssmEndpointFor(region), credentials: this.opts.credentials, maxAttempts: this.opts.maxAttempts, requestHandler: boundedHttpHandler(this.opts.connectTimeoutMs, this.opts.requestTimeoutMs) });
      this.ssm.set(region, c);
    }
    return c;
  }

  async find(instanceId: string, region?: string): Promise<InventoryRecord | null> {
    for (const r of region ? [region] : this.opts.regions) {
      const [rec] = await this.describe(r, [{ Name: 'instance-id', Values: [instanceId] }]);
      if (rec) return (await this.withAgents(r, [rec]))[0];
    }
    return null;
  }

  /** One DescribeInstances per 200 ids in `region`, without find()'s agent state (one SSM call fewer). */
  async owners(instanceIds: string[], region: string): Promise<InventoryRecord[]> {
    if (instanceIds.length > INVENTORY_OWNERS_MAX) throw new Error(`inventory owners() takes at most ${INVENTORY_OWNERS_MAX} ids`);
    const found: InventoryRecord[] = [];
    for (let i = 0; i < instanceIds.length; i += FILTER_VALUES_MAX) {
      found.push(...(await this.describe(region, [{ Name: 'instance-id', Values: instanceIds.slice(i, i + FILTER_VALUES_MAX) }])));
    }
    return found;
  }

  async lookup(instanceIds: string[]): Promise<InventoryRecord[]> {
    if (instanceIds.length > INVENTORY_LOOKUP_MAX) throw new Error(`inventory lookup takes at most ${INVENTORY_LOOKUP_MAX} ids`);
    const found: InventoryRecord[] = [];
    for (const region of this.opts.regions) {
      for (let i = 0; i < instanceIds.length; i += FILTER_VALUES_MAX) {
        found.push(...(await this.describe(region, [{ Name: 'instance-id', Values: instanceIds.slice(i, i + FILTER_VALUES_MAX) }])));
      }
    }
    return found;
  }

  /** Pages through the regions in order; the token carries the region index and EC2's own token. */
  async list(filter: InventoryFilter, pageToken?: string | null, pageSize = 1000): Promise<InventoryPage> {
    const regions = filter.region ? [filter.region] : this.opts.regions;
    const at = pageToken ? (JSON.parse(Buffer.from(pageToken, 'base64url').toString()) as { r: number; t?: string }) : { r: 0 };
    const region = regions[at.r];
    if (!region) return { records: [], nextToken: null };
    const filters: Filter[] = [];
    if (filter.tenantId !== undefined) filters.push({ Name: `tag:${this.opts.tenantTagKey}`, Values: [filter.tenantId] });
    for (const [k, v] of Object.entries(filter.tags ?? {})) filters.push({ Name: `tag:${k}`, Values: [v] });
    const out = await this.ec2For(region).send(new DescribeInstancesCommand({ Filters: filters.length ? filters : undefined, MaxResults: Math.min(1000, Math.max(5, pageSize)), NextToken: at.t }));
    const records = (out.Reservations ?? []).flatMap((res) => res.Instances ?? []).map((i) => this.record(i, region));
    const next = out.NextToken ? { r: at.r, t: out.NextToken } : at.r + 1 < regions.length ? { r: at.r + 1 } : null;
    return { records, nextToken: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null };
  }

  private async describe(region: string, filters: Filter[]): Promise<InventoryRecord[]> {
    const records: InventoryRecord[] = [];
    let token: string | undefined;
    do {
      const out = await this.ec2For(region).send(new DescribeInstancesCommand({ Filters: filters, NextToken: token }));
      for (const res of out.Reservations ?? []) for (const i of res.Instances ?? []) records.push(this.record(i, region));
      token = out.NextToken;
    } while (token);
    return records;
  }

  /** The OS name (and agent state) from SSM, for the instances it manages. */
  private async withAgents(region: string, recs: InventoryRecord[]): Promise<InventoryRecord[]> {
    const out = await this.ssmFor(region).send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: recs.map((r) => r.instanceId) }] }));
    const info = new Map((out.InstanceInformationList ?? []).map((i) => [i.InstanceId, i]));
    return recs.map((r) => {
      const i = info.get(r.instanceId);
      if (!i) return { ...r, agentOnline: false };
      return { ...r, osFamily: i.PlatformName ?? r.osFamily, agentOnline: i.PingStatus === 'Online' };
    });
  }

  private record(i: Instance, region: string): InventoryRecord {
    const tags = Object.fromEntries((i.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? '']));
    // EC2 says `Platform: windows` for Windows and nothing for Linux; PlatformDetails names both.
    const platform = /windows/i.test(i.Platform ?? '') || /windows/i.test(i.PlatformDetails ?? '') ? 'windows' : (i.PlatformDetails ?? 'linux').toLowerCase();
    return {
      instanceId: i.InstanceId as string,
      tenantId: tags[this.opts.tenantTagKey] ?? '',
      region,
      platform,
      osFamily: i.PlatformDetails ?? null,
      state: i.State?.Name ?? 'unknown',
      tags,
    };
  }

  destroy(): void {
    for (const c of [...this.ec2.values(), ...this.ssm.values()]) c.destroy();
  }
}
