import { ChannelError, ChannelThrottledError } from '@rdpfix/channel';
import { parseScriptOutput } from '@rdpfix/runbook';
import { startSimulator, RunningSimulator } from '../../apps/agent-sim/src/simulator';
import { CHANNEL_FACTORIES, ChannelUnderTest } from './support/channel-factories';
import { createInstances, pollUntil, received, script, sleep } from './support/contract-helpers';

/**
 * One contract for every command channel, run through the simulator against each adapter's
 * factory (support/channel-factories.ts). Each case counts what the simulated servers received.
 */
describe.each(CHANNEL_FACTORIES.map((f) => [f.name, f] as const))('channel contract: %s', (_name, factory) => {
  let sim: RunningSimulator;
  let t: ChannelUnderTest;
  const marker = (tag: string) => `rdpfix:${factory.name}-${tag}-${Date.now()}`;
  const send = (instanceIds: string[], text = script('diagnose'), m = marker('x'), executionTimeoutS = 30) =>
    t.channel.send({ region: t.region, instanceIds, scriptText: text, marker: m, executionTimeoutS, deliveryTimeoutS: 30 });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, pendingMs: 20, runMs: 40, invisibleMs: 60, cancelMs: 30, timeoutScale: 0.02, seed: 7 });
    t = factory.create(sim);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  it('send then poll: not visible or pending while the agent cannot take it, then succeeded with the script result', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    const m = marker('send');
    // Hold delivery (agent away) so the early states are observed whatever the machine's speed.
    sim.admin.setAgentOnline(id, false);
    const jdDelivery = sim.jdcloud.config.deliveryTimeoutS;
    sim.jdcloud.config = { ...sim.jdcloud.config, deliveryTimeoutS: 3000 };
    try {
      const { commandId } = await t.channel.send({ region: t.region, instanceIds: [id], scriptText: script('diagnose'), marker: m, executionTimeoutS: 30, deliveryTimeoutS: 3000 });
      const first = await t.channel.result(t.region, commandId, id);
      expect(first === null || first.status === 'pending').toBe(true);
      const { result: held } = await pollUntil(t.channel, t.region, commandId, id, () => true);
      expect(held).toMatchObject({ status: 'pending', exitCode: null });
      sim.admin.setAgentOnline(id, true);
      const { result } = await pollUntil(t.channel, t.region, commandId, id);
      expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, truncated: false });
      const parsed = parseScriptOutput(result.stdout, result.stderr, { script: 'diagnose' });
      expect(parsed.kind).toBe('ok');
    } finally {
      sim.jdcloud.config = { ...sim.jdcloud.config, deliveryTimeoutS: jdDelivery };
    }
    const got = received(sim, id);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ scriptName: 'diagnose', recognized: true, comment: m });
  });

  it('batch of 50: one send, results() pages every instance; 51 is refused before anything is sent', async () => {
    const ids = createInstances(sim, 51, t.region, t.idStyle);
    await expect(send(ids)).rejects.toMatchObject({ name: 'ChannelError', sent: 'no', retryable: false });
    expect(ids.every((id) => received(sim, id).length === 0)).toBe(true);
    expect(t.channel.maxInstancesPerSend).toBe(50);
    const batch = ids.slice(0, 50);
    const { commandId } = await send(batch, script('verify'));
    let all = new Map();
    for (let i = 0; i < 200; i++) {
      all = await t.channel.results(t.region, commandId);
      if (all.size === 50 && [...all.values()].every((r) => r.status === 'succeeded')) break;
      await sleep(50);
    }
    expect(all.size).toBe(50);
    expect([...all.values()].every((r) => r.status === 'succeeded' && r.exitCode === 0)).toBe(true);
    expect(batch.every((id) => received(sim, id).length === 1)).toBe(true);
  });

  it('statuses: a failing script is failed with its exit code; an unknown script fails like PowerShell', async () => {
    const [a, b] = createInstances(sim, 2, t.region, t.idStyle);
    sim.admin.setInstanceFaults(a, { scriptFailureRate: 1 });
    const r1 = await pollUntil(t.channel, t.region, (await send([a])).commandId, a);
    expect(r1.result).toMatchObject({ status: 'failed', exitCode: 1 });
    const r2 = await pollUntil(t.channel, t.region, (await send([b], 'Get-Something -Now\n')).commandId, b);
    expect(r2.result.status).toBe('failed');
    expect(`${r2.result.stdout}${r2.result.stderr}`).toMatch(/not recognized/);
  });

  it('timeouts: a script that outlives its execution timeout is timed_out', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    sim.admin.setInstanceFaults(id, { hangScripts: ['diagnose'] });
    const { result } = await pollUntil(t.channel, t.region, (await send([id], script('diagnose'), marker('hang'), 10)).commandId, id);
    expect(result.status).toBe('timed_out');
    expect(received(sim, id)[0].effectApplied).toBe(false);
  });

  it('offline agent: instanceInfo says offline, and a send is never delivered', async () => {
    const [off, on] = createInstances(sim, 2, t.region, t.idStyle);
    sim.admin.setAgentOnline(off, false);
    const info = await t.channel.instanceInfo(t.region, [off, on, t.idStyle === 'aws' ? 'i-00000000000000000' : 'i-zzzzzzzzzz']);
    expect(info.get(off)?.online).toBe(false);
    expect(info.get(on)?.online).toBe(true);
    expect(info.size).toBe(2);
    const { result } = await pollUntil(t.channel, t.region, (await send([off])).commandId, off);
    expect(result.status).toBe('undelivered');
    expect(received(sim, off)[0].startedAt).toBeNull();
  });

  it('throttling: a throttled send is not sent and says so; reads surface throttling after retries; it recovers', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    const { commandId } = await send([id]);
    await t.throttle(true);
    try {
      await expect(send([id])).rejects.toBeInstanceOf(ChannelThrottledError);
      await expect(t.channel.result(t.region, commandId, id)).rejects.toBeInstanceOf(ChannelThrottledError);
    } finally {
      await t.throttle(false);
    }
    expect(received(sim, id)).toHaveLength(1);
    expect((await pollUntil(t.channel, t.region, commandId, id)).result.status).toBe('succeeded');
  });

  it('cancel: a running command is cancelled', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    sim.admin.setInstanceFaults(id, { hangScripts: ['diagnose'] });
    const { commandId } = await send([id], script('diagnose'), marker('cancel'), 3600);
    await pollUntil(t.channel, t.region, commandId, id, (r) => r.status === 'running');
    await t.channel.cancel(t.region, commandId, [id]);
    const { result } = await pollUntil(t.channel, t.region, commandId, id);
    expect(result.status).toBe('cancelled');
  });

  it('truncated output: the channel says the output was cut', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    sim.admin.setInstanceFaults(id, { truncateOutputRate: 1 });
    const { result } = await pollUntil(t.channel, t.region, (await send([id])).commandId, id);
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThan(25_000);
  });

  it('findByMarker: finds a sent command within its window, not outside it, and not an unknown marker', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    const m = marker('find');
    const before = new Date(Date.now() - 60_000);
    const { commandId } = await send([id], script('diagnose'), m);
    let found: string | null = null;
    for (let i = 0; i < 50 && !found; i++) {
      found = await t.channel.findByMarker(t.region, m, { after: before, before: new Date(Date.now() + 60_000) });
      if (!found) await sleep(40);
    }
    expect(found).toBe(commandId);
    expect(await t.channel.findByMarker(t.region, m, { after: new Date(Date.now() + 3_600_000), before: new Date(Date.now() + 7_200_000) })).toBeNull();
    expect(await t.channel.findByMarker(t.region, marker('never-sent'), { after: before, before: new Date(Date.now() + 60_000) })).toBeNull();
  });

  it('findByMarker given one target instance: found in one listing call behind 1,050 newer commands in its window (SSM: page 22 of the region-wide listing)', async () => {
    const [id, other] = createInstances(sim, 2, t.region, t.idStyle);
    const m = marker('crowd');
    const before = new Date(Date.now() - 60_000);
    const { commandId } = await send([id], script('diagnose'), m);
    // A busy region: every batch sent since the lost one is in the lookup's window too.
    for (let i = 0; i < 1050; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => send([other], script('diagnose'), marker(`crowd-${i + k}`))));
    const lookupCalls = () => (factory.name === 'ssm' ? sim.store.stats.calls.ListCommands ?? 0 : sim.jdcloud.stats.calls.describeInvocations ?? 0);
    let found: string | null = null;
    let calls = 0;
    for (let i = 0; i < 50 && !found; i++) {
      const c0 = lookupCalls();
      found = await t.channel.findByMarker(t.region, m, { after: before, before: new Date(Date.now() + 60_000), instanceId: id });
      calls = lookupCalls() - c0;
      if (!found) await sleep(40);
    }
    expect(found).toBe(commandId);
    expect(calls).toBe(1);
  }, 60_000);

  it('findByMarker given an instance the command has not reached yet (agent away): still found, by the region-wide listing', async () => {
    const [id] = createInstances(sim, 1, t.region, t.idStyle);
    sim.admin.setAgentOnline(id, false);
    const jdDelivery = sim.jdcloud.config.deliveryTimeoutS;
    sim.jdcloud.config = { ...sim.jdcloud.config, deliveryTimeoutS: 3000 };
    try {
      const m = marker('undelivered');
      const before = new Date(Date.now() - 60_000);
      const { commandId } = await t.channel.send({ region: t.region, instanceIds: [id], scriptText: script('diagnose'), marker: m, executionTimeoutS: 30, deliveryTimeoutS: 3000 });
      let found: string | null = null;
      for (let i = 0; i < 50 && !found; i++) {
        found = await t.channel.findByMarker(t.region, m, { after: before, before: new Date(Date.now() + 60_000), instanceId: id });
        if (!found) await sleep(40);
      }
      expect(found).toBe(commandId);
      // Still waiting for its agent: the instance's own listing could not have shown it.
      expect(received(sim, id).map((r) => r.status)).toEqual(['Pending']);
    } finally {
      sim.jdcloud.config = { ...sim.jdcloud.config, deliveryTimeoutS: jdDelivery };
      sim.admin.setAgentOnline(id, true);
    }
  });

  if (factory.supportsLostSend) {
    it('lost send response: the outcome is unknown, the lookup finds it once the listing catches up, nothing is resent', async () => {
      const [id] = createInstances(sim, 1, t.region, t.idStyle);
      const m = marker('lost');
      const since = new Date(Date.now() - 1000);
      await t.delayListing(3000);
      await t.dropSendResponses(true);
      let err: unknown;
      try {
        await send([id], script('set-single-session'), m);
      } catch (e) {
        err = e;
      } finally {
        await t.dropSendResponses(false);
      }
      expect(err).toBeInstanceOf(ChannelError);
      expect((err as ChannelError).sent).toBe('unknown');
      // It did reach the server, once.
      expect(received(sim, id)).toHaveLength(1);
      // While the listing lags, the lookup sees nothing: that is "not yet", never "not sent".
      expect(await t.channel.findByMarker(t.region, m, { after: since, before: new Date(Date.now() + 60_000) })).toBeNull();
      let found: string | null = null;
      for (let i = 0; i < 200 && !found; i++) {
        await sleep(50);
        found = await t.channel.findByMarker(t.region, m, { after: since, before: new Date(Date.now() + 60_000) });
      }
      await t.delayListing(0);
      expect(found).not.toBeNull();
      const { result } = await pollUntil(t.channel, t.region, found!, id);
      expect(result.status).toBe('succeeded');
      expect(received(sim, id)).toHaveLength(1);
    });
  }
});
