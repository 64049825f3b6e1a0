import { loadConfig } from '@rdpfix/config';
import { AwsInventory } from './aws-inventory';
import { inventoryFromConfig, inventoryQueryFromConfig } from './inventory-from-config';
import { JdcloudInventory } from './jdcloud-inventory';
import { RegionalInventory } from './regional-inventory';
import { FakeAws } from './testing/fake-aws';

describe('AwsInventory (EC2 DescribeInstances + SSM DescribeInstanceInformation)', () => {
  let aws: FakeAws;
  let inv: AwsInventory;

  beforeAll(async () => {
    aws = await FakeAws.start();
    aws.instances.push(
      { instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'eu-west-1', tags: { owner: 'tenant-a', image: 'w2019' }, agent: { ping: 'Online', platformName: 'Microsoft Windows Server 2019 Datacenter' } },
      { instanceId: 'i-0aaaaaaaaaaaaaaa2', region: 'eu-west-1', tags: { owner: 'tenant-b' }, agent: { ping: 'ConnectionLost', platformName: 'Microsoft Windows Server 2022 Datacenter' } },
      { instanceId: 'i-0aaaaaaaaaaaaaaa3', region: 'us-east-1', tags: { owner: 'tenant-a', image: 'w2019' }, platform: 'linux', state: 'stopped' },
    );
    for (let n = 0; n < 7; n++) aws.instances.push({ instanceId: `i-0bbbbbbbbbbbbbbb${n}`, region: 'us-east-1', tags: { owner: 'tenant-c' } });
    inv = new AwsInventory({
      regions: ['eu-west-1', 'us-east-1'],
      tenantTagKey: 'owner',
      ec2EndpointFor: () => aws.url,
      ssmEndpointFor: () => aws.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      connectTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    inv.destroy();
    await aws.close();
  });

  it('finds an instance: tenant from the configured tag, platform and state from EC2, OS and agent from SSM', async () => {
    expect(await inv.find('i-0aaaaaaaaaaaaaaa1')).toEqual({
      instanceId: 'i-0aaaaaaaaaaaaaaa1',
      tenantId: 'tenant-a',
      region: 'eu-west-1',
      platform: 'windows',
      osFamily: 'Microsoft Windows Server 2019 Datacenter',
      state: 'running',
      tags: { owner: 'tenant-a', image: 'w2019' },
      agentOnline: true,
    });
    expect((await inv.find('i-0aaaaaaaaaaaaaaa2'))?.agentOnline).toBe(false);
    const linux = await inv.find('i-0aaaaaaaaaaaaaaa3');
    expect(linux).toMatchObject({ region: 'us-east-1', platform: 'linux/unix', state: 'stopped', agentOnline: false });
    expect(aws.calls.every((c) => c.authorized)).toBe(true);
  });

  it('looks in the named region only, and says null for an unknown instance', async () => {
    aws.calls.length = 0;
    expect(await inv.find('i-0aaaaaaaaaaaaaaa1', 'us-east-1')).toBeNull();
    expect(aws.calls.map((c) => `${c.service}:${c.region}`)).toEqual(['ec2:us-east-1']);
    expect(await inv.find('i-0ffffffffffffffff')).toBeNull();
  });

  it("owners(): 200 ids in one DescribeInstances, in the named region only, no SSM call (the precheck's bulk read)", async () => {
    aws.calls.length = 0;
    const unknown = Array.from({ length: 198 }, (_, n) => `i-0ccccccccccc${String(n).padStart(5, '0')}`);
    const found = await inv.owners(['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa3', ...unknown], 'us-east-1');
    // i-…1 lives in eu-west-1: narrowed to us-east-1, it is absent (as find() with that region says null).
    expect(found).toEqual([expect.objectContaining({ instanceId: 'i-0aaaaaaaaaaaaaaa3', tenantId: 'tenant-a', region: 'us-east-1', platform: 'linux/unix', state: 'stopped' })]);
    expect(found[0].agentOnline).toBeUndefined();
    expect(aws.calls.map((c) => `${c.service}:${c.region}:${c.action}`)).toEqual(['ec2:us-east-1:DescribeInstances']);
    await expect(inv.owners(Array.from({ length: 201 }, (_, n) => `i-${n}`), 'us-east-1')).rejects.toThrow(/at most 200/);
  });

  it('bulk lookup across the regions, and a paged tenant listing that walks every region', async () => {
    const found = await inv.lookup(['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa3', 'i-0ffffffffffffffff']);
    expect(found.map((r) => `${r.instanceId}@${r.region}`).sort()).toEqual(['i-0aaaaaaaaaaaaaaa1@eu-west-1', 'i-0aaaaaaaaaaaaaaa3@us-east-1']);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page = await inv.list({ tenantId: 'tenant-c' }, token, 5);
      seen.push(...page.records.map((r) => r.instanceId));
      token = page.nextToken;
      pages++;
    } while (token && pages < 10);
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, n) => `i-0bbbbbbbbbbbbbbb${n}`));
    expect(pages).toBe(3); // eu-west-1 (none), us-east-1 5 + 2
    const tagged = await inv.list({ tenantId: 'tenant-a', tags: { image: 'w2019' }, region: 'us-east-1' });
    expect(tagged.records.map((r) => r.instanceId)).toEqual(['i-0aaaaaaaaaaaaaaa3']);
  });
});

describe('inventory from config', () => {
  it('selects the adapter per region: aws by default, jdcloud for a JD region, bulk reads from AWS', () => {
    const c = loadConfig({ INVENTORY: 'aws', INVENTORY_BY_REGION: '{"cn-north-1":"jdcloud"}', REGIONS: 'eu-west-1,cn-north-1' });
    const inv = inventoryFromConfig(c) as RegionalInventory;
    expect(inv).toBeInstanceOf(RegionalInventory);
    expect(inv.nameFor('cn-north-1')).toBe('jdcloud');
    expect(inv.nameFor('eu-west-1')).toBe('aws');
    expect((inv as unknown as { adapters: Map<string, unknown> }).adapters.get('jdcloud')).toBeInstanceOf(JdcloudInventory);
    expect(inventoryQueryFromConfig(c)).toBeInstanceOf(AwsInventory);
  });

  it('routes a regional find to the adapter of its region', async () => {
    const calls: string[] = [];
    const fake = (name: string) => ({ find: async (id: string, region?: string) => (calls.push(`${name}:${id}:${region}`), null) });
    const inv = new RegionalInventory(new Map([['aws', fake('aws')], ['jdcloud', fake('jdcloud')]]), 'aws', { 'cn-north-1': 'jdcloud' });
    await inv.find('i-1', 'cn-north-1');
    await inv.find('i-2', 'eu-west-1');
    await inv.find('i-3');
    expect(calls).toEqual(['jdcloud:i-1:cn-north-1', 'aws:i-2:eu-west-1', 'aws:i-3:undefined', 'jdcloud:i-3:undefined']);
  });
});
