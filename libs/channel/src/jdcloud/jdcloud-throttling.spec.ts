import http from 'http';
import type { AddressInfo } from 'net';
import type { ChannelBudget } from '../channel-budget';
import { ChannelError, ChannelThrottledError } from '../channel-errors';
import { JdcloudCommandChannel } from './jdcloud-command-channel';

/**
 * JD Cloud's throttling (429 RATE_LIMIT, jdcloud-assistant.md §4) must feed the shared budget's
 * backoff exactly as SSM's ThrottlingException does; QUOTA_EXCEEDED (also 429) is a refusal,
 * not throttling, and must not slow the region down.
 */
describe('JD Cloud throttling feeds the shared budget', () => {
  let server: http.Server;
  let endpoint: string;
  /** What the fake endpoint answers next: HTTP status and error.status. */
  let answer: { code: number; status: string };
  /** Answers given before `answer`, first first (a 200 answers an empty listing). */
  let queued: { code: number; status: string }[] = [];
  let calls = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls++;
        const a = queued.shift() ?? answer;
        res.writeHead(a.code, { 'content-type': 'application/json' });
        if (a.code === 200) res.end(JSON.stringify({ requestId: `req-${calls}`, result: { invocations: [], totalCount: 0 } }));
        else res.end(JSON.stringify({ requestId: `req-${calls}`, error: { code: a.code, status: a.status, message: 'no' } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const make = () => {
    const throttled: [string, string][] = [];
    const budget = {
      take: async () => undefined,
      throttled: async (channel: string, region: string) => {
        throttled.push([channel, region]);
      },
    } as unknown as ChannelBudget;
    const channel = new JdcloudCommandChannel({
      endpointFor: () => endpoint,
      vmEndpointFor: () => endpoint,
      credentials: () => ({ accessKeyId: 'AK', secretAccessKey: 'SK' }),
      connectTimeoutMs: 2000,
      requestTimeoutMs: 2000,
      maxAttempts: 2,
      backoffBaseMs: 1,
      maxScriptBytes: 16000,
      deleteDelayS: 0,
      budget,
    });
    return { channel, throttled };
  };

  it('a 429 RATE_LIMIT on a send, a read and a listing halves the budget of that channel and region', async () => {
    const { channel, throttled } = make();
    answer = { code: 429, status: 'RATE_LIMIT' };
    try {
      await expect(channel.send({ region: 'cn-north-1', instanceIds: ['i-uvvtdzuxre'], scriptText: 'Write-Output 1', marker: 'rdpfix:run-1', executionTimeoutS: 60, deliveryTimeoutS: 60 })).rejects.toBeInstanceOf(ChannelThrottledError);
      await expect(channel.result('cn-east-2', 'inv-1', 'i-uvvtdzuxre')).rejects.toBeInstanceOf(ChannelThrottledError);
      await expect(channel.findByMarker('cn-south-1', 'rdpfix:run-2', { after: new Date(0), before: new Date() })).rejects.toBeInstanceOf(ChannelThrottledError);
      // Once per throttled attempt: the send has one; the read and the listing are retried (maxAttempts 2).
      expect(throttled).toEqual([
        ['jdcloud', 'cn-north-1'],
        ['jdcloud', 'cn-east-2'],
        ['jdcloud', 'cn-east-2'],
        ['jdcloud', 'cn-south-1'],
        ['jdcloud', 'cn-south-1'],
      ]);
    } finally {
      channel.destroy();
    }
  });

  it('a throttled attempt the channel retried by itself still backs the budget off, though the call then succeeds', async () => {
    const { channel, throttled } = make();
    try {
      queued = [{ code: 429, status: 'RATE_LIMIT' }, { code: 200, status: 'OK' }];
      expect(await channel.findByMarker('cn-north-1', 'rdpfix:run-3', { after: new Date(0), before: new Date() })).toBeNull();
      expect(queued).toEqual([]);
      expect(throttled).toEqual([['jdcloud', 'cn-north-1']]);
    } finally {
      queued = [];
      channel.destroy();
    }
  });

  it('QUOTA_EXCEEDED and other refusals do not touch the budget', async () => {
    const { channel, throttled } = make();
    try {
      answer = { code: 429, status: 'QUOTA_EXCEEDED' };
      const quota = await channel.result('cn-north-1', 'inv-1', 'i-uvvtdzuxre').catch((e: unknown) => e);
      expect(quota).toBeInstanceOf(ChannelError);
      expect((quota as ChannelError).retryable).toBe(false);
      answer = { code: 400, status: 'INVALID_ARGUMENT' };
      await expect(channel.result('cn-north-1', 'inv-1', 'i-uvvtdzuxre')).rejects.toBeInstanceOf(ChannelError);
      expect(throttled).toEqual([]);
    } finally {
      channel.destroy();
    }
  });
});
