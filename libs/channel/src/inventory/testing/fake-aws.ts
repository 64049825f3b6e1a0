import http from 'http';
import { AddressInfo } from 'net';

export interface FakeInstance {
  instanceId: string;
  region: string;
  tags?: Record<string, string>;
  platform?: 'windows' | 'linux';
  state?: string;
  /** SSM: absent = not managed; otherwise its PingStatus and PlatformName. */
  agent?: { ping: 'Online' | 'ConnectionLost'; platformName: string };
}

/**
 * A local stand-in for EC2 DescribeInstances (Query protocol, XML) and SSM
 * DescribeInstanceInformation (JSON 1.1), enough for the AWS inventory adapter's tests. It reads
 * the region from the SigV4 credential scope, like AWS, and pages EC2 answers by MaxResults.
 */
export class FakeAws {
  readonly instances: FakeInstance[] = [];
  readonly calls: { service: 'ec2' | 'ssm'; region: string; action: string; authorized: boolean }[] = [];
  private server!: http.Server;
  url!: string;

  static async start(): Promise<FakeAws> {
    const f = new FakeAws();
    f.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => f.handle(req, body, res));
    });
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const auth = String(req.headers.authorization ?? '');
    const region = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(auth)?.[1] ?? 'unknown';
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('AmazonSSM.')) {
      this.calls.push({ service: 'ssm', region, action: target.slice('AmazonSSM.'.length), authorized: auth.startsWith('AWS4-HMAC-SHA256') });
      const input = JSON.parse(body || '{}') as { Filters?: { Key: string; Values: string[] }[] };
      const ids = new Set(input.Filters?.find((f) => f.Key === 'InstanceIds')?.Values ?? []);
      const list = this.instances
        .filter((i) => i.region === region && i.agent && ids.has(i.instanceId))
        .map((i) => ({ InstanceId: i.instanceId, PingStatus: i.agent!.ping, PlatformName: i.agent!.platformName, PlatformType: 'Windows' }));
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ InstanceInformationList: list }));
      return;
    }
    const form = new URLSearchParams(body);
    this.calls.push({ service: 'ec2', region, action: form.get('Action') ?? '', authorized: auth.startsWith('AWS4-HMAC-SHA256') });
    const filters: { name: string; values: string[] }[] = [];
    for (let n = 1; form.get(`Filter.${n}.Name`); n++) {
      const values: string[] = [];
      for (let v = 1; form.get(`Filter.${n}.Value.${v}`) !== null; v++) values.push(form.get(`Filter.${n}.Value.${v}`)!);
      filters.push({ name: form.get(`Filter.${n}.Name`)!, values });
    }
    const matching = this.instances.filter(
      (i) =>
        i.region === region &&
        filters.every((f) => (f.name === 'instance-id' ? f.values.includes(i.instanceId) : f.name.startsWith('tag:') ? f.values.includes(i.tags?.[f.name.slice(4)] ?? '\u0000') : true)),
    );
    const max = Number(form.get('MaxResults') ?? 1000);
    const start = Number(form.get('NextToken') ?? 0);
    const page = matching.slice(start, start + max);
    const next = start + max < matching.length ? `<nextToken>${start + max}</nextToken>` : '';
    const items = page
      .map(
        (i) => `<item><reservationId>r-${i.instanceId.slice(2)}</reservationId><instancesSet><item>
  <instanceId>${i.instanceId}</instanceId><instanceState><code>16</code><name>${i.state ?? 'running'}</name></instanceState>
  ${i.platform === 'linux' ? '<platformDetails>Linux/UNIX</platformDetails>' : '<platform>windows</platform><platformDetails>Windows</platformDetails>'}
  <tagSet>${Object.entries(i.tags ?? {}).map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`).join('')}</tagSet>
</item></instancesSet></item>`,
      )
      .join('');
    res
      .writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' })
      .end(`<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId><reservationSet>${items}</reservationSet>${next}</DescribeInstancesResponse>`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
