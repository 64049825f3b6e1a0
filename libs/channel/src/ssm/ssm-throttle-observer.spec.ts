import * as http from 'http';
import type { AddressInfo } from 'net';
import type { ChannelBudget } from '../channel-budget';
import { ChannelThrottledError } from '../channel-errors';
import { SsmCommandChannel } from './ssm-command-channel';

/**
 * The provider's throttling reaches the shared budget once per throttled attempt, also when the
 * SDK retries the call by itself and it then succeeds (before, only a final throttle was seen, so
 * retried throttles never slowed the budget down). A local endpoint answers SSM's JSON protocol.
 */
describe('SSM channel: every throttled attempt backs the budget off', () => {
  let server: http.Server;
  let url: string;
  /** Answers still to throttle before a success. */
  let throttleNext = 0;
  let requests = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        if (throttleNext > 0) {
          throttleNext--;
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
          res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ InstanceInformationList: [{ InstanceId: 'i-0123456789abcdef0', PingStatus: 'Online', PlatformName: 'Windows' }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    throttleNext = 0;
    requests = 0;
  });

  function channel(maxAttempts: number) {
    const budget = { take: jest.fn(async () => undefined), throttled: jest.fn(async () => undefined) };
    const ch = new SsmCommandChannel({
      endpointFor: () => url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts,
      budget: budget as unknown as ChannelBudget,
    });
    return { ch, budget };
  }

  it('two throttles the SDK retried, then an answer: the call succeeds and the budget heard of both', async () => {
    const { ch, budget } = channel(3);
    throttleNext = 2;
    const found = await ch.instanceInfo('eu-west-1', ['i-0123456789abcdef0']);
    expect(found.get('i-0123456789abcdef0')?.online).toBe(true);
    expect(requests).toBe(3);
    expect(budget.throttled).toHaveBeenCalledTimes(2);
    expect(budget.throttled).toHaveBeenCalledWith('ssm', 'eu-west-1');
  }, 20_000);

  it('throttled past its attempts: a throttled error, and the budget heard of each attempt once', async () => {
    const { ch, budget } = channel(2);
    throttleNext = 5;
    await expect(ch.instanceInfo('eu-west-1', ['i-0123456789abcdef0'])).rejects.toBeInstanceOf(ChannelThrottledError);
    expect(requests).toBe(2);
    expect(budget.throttled).toHaveBeenCalledTimes(2);
  }, 20_000);

  it('an answer with no throttle tells the budget nothing', async () => {
    const { ch, budget } = channel(3);
    await ch.instanceInfo('eu-west-1', ['i-0123456789abcdef0']);
    expect(requests).toBe(1);
    expect(budget.throttled).not.toHaveBeenCalled();
  });
});
