import { createServer, Server } from 'http';
import { AddressInfo, Socket } from 'net';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsStaticCredentials, boundedHttpHandler } from './aws-client-options';
import { buildSsmChannel } from '../routing/channels-from-config';
import { loadConfig } from '@rdpfix/config';

describe('AWS client options', () => {
  it('uses static keys only when both are set (else the SDK default chain)', () => {
    expect(awsStaticCredentials({})).toBeUndefined();
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: 'AKIA' })).toBeUndefined();
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({ accessKeyId: 'AKIA', secretAccessKey: 's' });
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })).toEqual({ accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' });
  });

  it('bounds connect and request time, and throws on a request timeout', async () => {
    const h = boundedHttpHandler(1234, 5678);
    const cfg = await (h as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
    expect(cfg).toMatchObject({ connectionTimeout: 1234, requestTimeout: 5678, throwOnRequestTimeout: true });
  });

  describe('a kept-alive connection the server closes as a request arrives', () => {
    // The server answers the first request on a connection and drops the connection when a
    // second one arrives on it: what a server whose idle timeout fires at that moment does.
    let server: Server;
    let connections = 0;
    let endpoint = '';
    beforeAll(async () => {
      const served = new WeakSet<Socket>();
      server = createServer((req, res) => {
        if (served.has(req.socket)) return req.socket.destroy();
        served.add(req.socket);
        req.resume();
        req.on('end', () => {
          res.setHeader('content-type', 'application/x-amz-json-1.1');
          res.end('{"InstanceInformationList":[]}');
        });
      });
      server.keepAliveTimeout = 60_000; // announced as Keep-Alive: timeout=60, longer than the client's bound
      server.on('connection', () => connections++);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise<void>((r) => server.close(() => r())));

    const client = (requestHandler: NodeHttpHandler) =>
      new SSMClient({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' }, maxAttempts: 1, requestHandler });
    const twoCallsApart = async (c: SSMClient, gapMs: number) => {
      await c.send(new DescribeInstanceInformationCommand({}));
      await new Promise((r) => setTimeout(r, gapMs));
      return c.send(new DescribeInstanceInformationCommand({}));
    };

    it("the SDK's default agent reuses the idle connection: the second call fails with socket hang up", async () => {
      const before = connections;
      const c = client(new NodeHttpHandler());
      await expect(twoCallsApart(c, 400)).rejects.toThrow(/socket hang up/);
      expect(connections - before).toBe(1);
      c.destroy();
    });

    it('boundedHttpHandler closes a connection idle longer than its bound: the second call opens a new one and succeeds', async () => {
      const before = connections;
      const c = client(boundedHttpHandler(1000, 2000, 200));
      await expect(twoCallsApart(c, 400)).resolves.toMatchObject({ InstanceInformationList: [] });
      expect(connections - before).toBe(2);
      c.destroy();
    });
  });

  it('with no CHANNEL_ENDPOINT, a region resolves to the real regional SSM endpoint', async () => {
    const channel = buildSsmChannel(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' }));
    const client = (channel as unknown as { client(region: string, forSend: boolean): SSMClient }).client('ap-southeast-2', false);
    const ep = await client.config.endpointProvider({ Region: 'ap-southeast-2', UseFIPS: false, UseDualStack: false });
    expect(ep.url.href).toBe('https://ssm.ap-southeast-2.amazonaws.com/');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIA' });
    channel.destroy();
  });

  it('CHANNEL_ENDPOINTS overrides one region, CHANNEL_ENDPOINT the others', () => {
    const channel = buildSsmChannel(loadConfig({ CHANNEL_ENDPOINT: 'http://sim:4566', CHANNEL_ENDPOINTS: '{"eu-west-3":"http://other:1"}' }));
    const opts = (channel as unknown as { opts: { endpointFor(r: string): string | undefined } }).opts;
    expect(opts.endpointFor('eu-west-3')).toBe('http://other:1');
    expect(opts.endpointFor('eu-west-1')).toBe('http://sim:4566');
    expect(buildSsmChannel(loadConfig({})) && (buildSsmChannel(loadConfig({})) as unknown as { opts: { endpointFor(r: string): string | undefined } }).opts.endpointFor('eu-west-1')).toBeUndefined();
  });
});
