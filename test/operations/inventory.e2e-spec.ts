import http from 'http';
import { AddressInfo } from 'net';
import { FakeAws } from '../../libs/channel/src/inventory/testing/fake-aws';
import { Stack } from '../support/stack';

/**
 * The console role's ownership check through either inventory adapter: the AWS one (EC2 tags,
 * here a local EC2/SSM stand-in reached through the real SDK) and the HTTP one with its optional
 * bearer token (docs/inventory.md).
 */
describe('ownership through the AWS inventory', () => {
  let stack: Stack;
  let aws: FakeAws;

  beforeAll(async () => {
    aws = await FakeAws.start();
    aws.instances.push(
      { instanceId: 'i-0a1b2c3d4e5f60001', region: 'eu-west-1', tags: { tenant: 'tenant-a' } },
      { instanceId: 'i-0a1b2c3d4e5f60002', region: 'eu-west-1', tags: { tenant: 'tenant-b' } },
    );
    stack = await Stack.start({ worker: 'none', config: { INVENTORY: 'aws', EC2_ENDPOINT: aws.url, REGIONS: 'eu-west-1,eu-west-2' } });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await aws?.close();
  });

  it('a console key may act on its tenant\'s instance only (another tenant\'s and an unknown one are 404)', async () => {
    const key = (await stack.createKey('console', 'tenant-a')).key;
    const post = (instanceId: string, region = 'eu-west-1') =>
      stack.http('POST', '/v1/remediations', { instanceId, region, mode: 'diagnose' }, { authorization: `Bearer ${key}` });
    const own = await post('i-0a1b2c3d4e5f60001');
    expect(own.status).toBe(202);
    expect((await post('i-0a1b2c3d4e5f60002')).status).toBe(404);
    expect((await post('i-0a1b2c3d4e5f69999')).status).toBe(404);
    // Asked in the region the request names, and only there.
    expect((await post('i-0a1b2c3d4e5f60001', 'eu-west-2')).status).toBe(404);
    expect(aws.calls.filter((c) => c.service === 'ec2').map((c) => c.region)).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1', 'eu-west-2']);
  });
});

describe('the HTTP inventory with a bearer token', () => {
  let stack: Stack;
  let server: http.Server;
  const seen: (string | undefined)[] = [];
  let token = 'inv-token-1';

  beforeAll(async () => {
    // A minimal inventory of one's own (docs/inventory.md): refuses calls without the token.
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      const id = decodeURIComponent(req.url!.split('/').pop()!);
      if (id !== 'i-0a1b2c3d4e5f60003') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ instanceId: id, tenantId: 'tenant-a', region: 'eu-west-1', platform: 'windows', osFamily: null, state: 'running' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stack = await Stack.start({ worker: 'none', config: { INVENTORY_URL: url, INVENTORY_TOKEN: 'inv-token-1' } });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await new Promise((r) => server.close(r));
  });

  it('sends the token; a refused token is 503 inventory_unavailable, not a false "not yours"', async () => {
    const key = (await stack.createKey('console', 'tenant-a')).key;
    const post = () => stack.http('POST', '/v1/remediations', { instanceId: 'i-0a1b2c3d4e5f60003', region: 'eu-west-1', mode: 'diagnose' }, { authorization: `Bearer ${key}` });
    expect((await post()).status).toBe(202);
    expect(seen).toEqual(['Bearer inv-token-1']);
    token = 'rotated';
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('inventory_unavailable');
  });
});
