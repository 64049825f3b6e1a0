import { ConfigError, loadConfig } from '@rdpfix/config';
import { ChannelError } from '../channel-errors';
import { CommandChannel } from '../command-channel.port';
import { JdcloudCommandChannel } from '../jdcloud/jdcloud-command-channel';
import { SsmCommandChannel } from '../ssm/ssm-command-channel';
import { channelFromConfig, channelsInUse } from './channels-from-config';
import { RoutingCommandChannel } from './routing-command-channel';

/** A channel that records which calls reached it. */
function recorder(name: string, max = 50): CommandChannel & { calls: string[] } {
  const calls: string[] = [];
  const rec = (op: string) => (region: string) => {
    calls.push(`${op}:${region}`);
    return Promise.resolve(null as never);
  };
  return {
    name,
    maxInstancesPerSend: max,
    calls,
    send: (req: { region: string }) => (calls.push(`send:${req.region}`), Promise.resolve({ commandId: `${name}-1` })),
    result: rec('result'),
    results: rec('results'),
    findByMarker: rec('findByMarker'),
    reserveSend: rec('reserveSend'),
    cancel: rec('cancel'),
    instanceInfo: rec('instanceInfo'),
  } as unknown as CommandChannel & { calls: string[] };
}

describe('RoutingCommandChannel', () => {
  const ssm = recorder('ssm');
  const jd = Object.assign(recorder('jdcloud', 50), { rebootInstance: jest.fn(async () => undefined) });
  const routing = new RoutingCommandChannel(new Map<string, CommandChannel>([['ssm', ssm], ['jdcloud', jd]]), 'ssm', { 'cn-north-1': 'jdcloud', 'cn-east-2': 'jdcloud' });

  it('sends every call to the adapter of its region', async () => {
    await routing.send({ region: 'cn-north-1', instanceIds: ['i-a'], scriptText: '', marker: 'm', executionTimeoutS: 10, deliveryTimeoutS: 30 });
    await routing.send({ region: 'eu-west-1', instanceIds: ['i-b'], scriptText: '', marker: 'm', executionTimeoutS: 10, deliveryTimeoutS: 30 });
    await routing.result('cn-east-2', 'c', 'i');
    await routing.results('us-east-1', 'c');
    await routing.findByMarker('cn-north-1', 'm', { after: new Date(0), before: new Date() });
    await routing.cancel('eu-west-1', 'c', ['i']);
    await routing.instanceInfo('cn-north-1', ['i']);
    await routing.reserveSend('cn-north-1');
    expect(jd.calls).toEqual(['send:cn-north-1', 'result:cn-east-2', 'findByMarker:cn-north-1', 'instanceInfo:cn-north-1', 'reserveSend:cn-north-1']);
    expect(ssm.calls).toEqual(['send:eu-west-1', 'results:us-east-1', 'cancel:eu-west-1']);
  });

  it('names the serving channel and its id rules per region', () => {
    expect(routing.nameFor('cn-north-1')).toBe('jdcloud');
    expect(routing.nameFor('ap-south-1')).toBe('ssm');
    expect(routing.idRulesFor('cn-north-1').instanceId.test('i-uvvtdzuxre')).toBe(true);
    expect(routing.idRulesFor('eu-west-1').instanceId.test('i-uvvtdzuxre')).toBe(false);
    expect(routing.maxInstancesPerSend).toBe(50);
  });

  it('reboots through the cloud API only where the adapter has one', async () => {
    await routing.rebootInstance('cn-north-1', 'i-uvvtdzuxre');
    expect(jd.rebootInstance).toHaveBeenCalledWith('cn-north-1', 'i-uvvtdzuxre');
    await expect(routing.rebootInstance('eu-west-1', 'i-0123456789abcdef0')).rejects.toBeInstanceOf(ChannelError);
  });

  it('refuses a map naming an adapter it does not have', () => {
    expect(() => new RoutingCommandChannel(new Map([['ssm', ssm]]), 'ssm', { 'cn-north-1': 'jdcloud' })).toThrow(/unknown adapter jdcloud/);
  });
});

describe('channel selection from configuration', () => {
  it('one channel everywhere: the bare adapter; mixed regions: a router; JD adapters only when used', () => {
    const only = channelFromConfig(loadConfig({}));
    expect(only).toBeInstanceOf(SsmCommandChannel);
    const jd = channelFromConfig(loadConfig({ CHANNEL: 'jdcloud' }));
    expect(jd).toBeInstanceOf(JdcloudCommandChannel);
    const mixed = channelFromConfig(loadConfig({ CHANNEL_BY_REGION: '{"cn-north-1":"jdcloud"}' }));
    expect(mixed).toBeInstanceOf(RoutingCommandChannel);
    expect((mixed as RoutingCommandChannel).channelFor('cn-north-1')).toBeInstanceOf(JdcloudCommandChannel);
    expect((mixed as RoutingCommandChannel).channelFor('eu-west-1')).toBeInstanceOf(SsmCommandChannel);
    expect([...channelsInUse(loadConfig({ CHANNEL_BY_REGION: '{"cn-north-1":"jdcloud"}' }))]).toEqual(['ssm', 'jdcloud']);
    for (const c of [only, jd, mixed]) (c as { destroy?: () => void }).destroy?.();
  });

  it.each([
    [{ CHANNEL: 'azure' }, /CHANNEL/],
    [{ CHANNEL_BY_REGION: '{"cn-north-1":"azure"}' }, /CHANNEL_BY_REGION\.cn-north-1/],
    [{ CHANNEL_BY_REGION: '["cn-north-1"]' }, /CHANNEL_BY_REGION/],
    [{ CHANNEL_BY_REGION: '{"north":"jdcloud"}' }, /CHANNEL_BY_REGION/],
    [{ JDCLOUD_ENDPOINTS: '{"cn-north-1":"ftp://x"}' }, /JDCLOUD_ENDPOINTS\.cn-north-1/],
    [{ JDCLOUD_MAX_SCRIPT_BYTES: '100' }, /JDCLOUD_MAX_SCRIPT_BYTES/],
    [{ JDCLOUD_ENDPOINT: 'not a url' }, /JDCLOUD_ENDPOINT/],
  ])('refuses %j at boot, naming the variable', (env, pattern) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>)).toThrow(pattern);
  });

  it('defaults point at the real JD Cloud endpoints', () => {
    const c = loadConfig({});
    expect(c.JDCLOUD_ENDPOINT).toBe('https://assistant.jdcloud-api.com');
    expect(c.JDCLOUD_VM_ENDPOINT).toBe('https://vm.jdcloud-api.com');
    expect(c.JDCLOUD_MAX_SCRIPT_BYTES).toBe(16000);
  });
});
