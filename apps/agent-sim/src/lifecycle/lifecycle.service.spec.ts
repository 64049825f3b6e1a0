import { HeldSends } from '../faults/held-sends';
import { RunLedger } from '../ledger/run-ledger';
import { AdminService } from '../admin/admin.service';
import { AgentService } from '../agent/agent.service';
import { Rng } from '../common/rng';
import { SimulatorOptions, resolveOptions } from '../config/simulator-options';
import { FaultService } from '../faults/fault.service';
import { PresetName } from '../model/presets';
import { SimStore } from '../store/sim-store';
import { lastJsonLine, renderScriptText } from '../testing/script-text';
import { LifecycleService } from './lifecycle.service';
import { Scheduler } from './scheduler';

function setup(over: Partial<SimulatorOptions> = {}) {
  const options = resolveOptions({
    invisibleMs: 100,
    pendingMs: 100,
    runMs: 200,
    cancelMs: 50,
    rebootDownMs: 1000,
    rebootDelayScale: 0.01,
    timeoutScale: 0.01,
    seed: 1,
    ...over,
  });
  const store = new SimStore();
  const rng = new Rng(1);
  const scheduler = new Scheduler();
  const faults = new FaultService(store, rng, options);
  const agent = new AgentService(store, faults, scheduler, options);
  const ledger = new RunLedger();
  const lifecycle = new LifecycleService(store, scheduler, agent, faults, rng, options, ledger);
  const admin = new AdminService(store, agent, faults, scheduler, rng, ledger, new HeldSends());
  const instance = (preset: PresetName = 'healthy') => admin.createInstance({ tenantId: 't', region: 'us-east-1', os: '2019', preset });
  const send = (instanceId: string, name: string, params: Record<string, string | number> = {}, extra: { timeoutSeconds?: number; exec?: number } = {}) =>
    lifecycle.send({
      documentName: 'AWS-RunPowerShellScript',
      comment: 'rdpfix:run-1',
      parameters: { commands: [renderScriptText(name, 1, params)], executionTimeout: [String(extra.exec ?? 3600)] },
      instanceIds: [instanceId],
      region: 'us-east-1',
      timeoutSeconds: extra.timeoutSeconds ?? 600,
      executionTimeoutSeconds: extra.exec ?? 3600,
      maxConcurrency: '50',
      maxErrors: '0',
    });
  const inv = (commandId: string, instanceId: string) => store.getInvocation(commandId, instanceId)!;
  return { options, store, scheduler, agent, lifecycle, admin, faults, instance, send, inv };
}

describe('LifecycleService', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('goes Pending → InProgress → Success and applies the effect at completion', () => {
    const s = setup();
    const i = s.instance('cause-a');
    const cmd = s.send(i.instanceId, 'set-single-session', { value: 0 });
    const v = s.inv(cmd.commandId, i.instanceId);
    expect([v.status, v.statusDetails, v.responseCode]).toEqual(['Pending', 'Pending', -1]);
    jest.advanceTimersByTime(100);
    expect([v.status, v.statusDetails]).toEqual(['InProgress', 'InProgress']);
    expect(s.store.getInstance(i.instanceId)!.singleSession.value).toBe(1);
    jest.advanceTimersByTime(200);
    expect([v.status, v.statusDetails, v.responseCode]).toEqual(['Success', 'Success', 0]);
    expect(lastJsonLine(v.stdout)).toMatchObject({ ok: true, changed: true });
    expect(s.store.getInstance(i.instanceId)!.singleSession.value).toBe(0);
    expect(v.effectApplied).toBe(true);
    expect(s.scheduler.size).toBe(0);
  });

  it('marks a refused change Failed with exit 1', () => {
    const s = setup();
    const i = s.instance('healthy');
    s.admin.updateInstance(i.instanceId, { singleSession: { value: 1, source: 'policy' } });
    const cmd = s.send(i.instanceId, 'set-single-session', { value: 0 });
    jest.advanceTimersByTime(300);
    expect(s.inv(cmd.commandId, i.instanceId)).toMatchObject({ status: 'Failed', statusDetails: 'Failed', responseCode: 1, effectApplied: false });
  });

  it('waits as Pending/Delayed while the agent is offline and resumes when it returns', () => {
    const s = setup();
    const i = s.instance();
    s.admin.setAgentOnline(i.instanceId, false);
    const cmd = s.send(i.instanceId, 'diagnose');
    const v = s.inv(cmd.commandId, i.instanceId);
    jest.advanceTimersByTime(250);
    expect([v.status, v.statusDetails]).toEqual(['Pending', 'Delayed']);
    s.admin.setAgentOnline(i.instanceId, true);
    expect([v.status, v.statusDetails]).toEqual(['Pending', 'Pending']);
    jest.advanceTimersByTime(300);
    expect(v.status).toBe('Success');
  });

  it('times out delivery after TimeoutSeconds (scaled) when the agent stays away', () => {
    const s = setup();
    const i = s.instance();
    s.admin.setInstanceFaults(i.instanceId, { agentOffline: true });
    const cmd = s.send(i.instanceId, 'diagnose', {}, { timeoutSeconds: 30 });
    const v = s.inv(cmd.commandId, i.instanceId);
    jest.advanceTimersByTime(299);
    expect(v.statusDetails).toBe('Delayed');
    jest.advanceTimersByTime(1);
    expect([v.status, v.statusDetails, v.responseCode, v.startedAt]).toEqual(['TimedOut', 'DeliveryTimedOut', -1, null]);
  });

  it('times out a hanging script at executionTimeout and does not apply it', () => {
    const s = setup();
    const i = s.instance('cause-b');
    s.admin.setGlobalFaults({ hangScripts: ['remove-rdsh-role'] });
    const cmd = s.send(i.instanceId, 'remove-rdsh-role', {}, { exec: 60 });
    const v = s.inv(cmd.commandId, i.instanceId);
    jest.advanceTimersByTime(100 + 599);
    expect(v.status).toBe('InProgress');
    jest.advanceTimersByTime(1);
    expect([v.status, v.statusDetails, v.responseCode]).toEqual(['TimedOut', 'ExecutionTimedOut', -1]);
    expect(s.store.getInstance(i.instanceId)!.rdsh.removalPending).toBe(false);
  });

  it('cancel before InProgress prevents the effect; cancel while running keeps it', () => {
    const s = setup();
    const a = s.instance('cause-a');
    const early = s.send(a.instanceId, 'set-single-session', { value: 0 });
    s.lifecycle.cancel(early.commandId, null);
    const e = s.inv(early.commandId, a.instanceId);
    expect(e.status).toBe('Cancelling');
    jest.advanceTimersByTime(50);
    expect([e.status, e.statusDetails, e.responseCode]).toEqual(['Cancelled', 'Cancelled', -1]);
    jest.advanceTimersByTime(1000);
    expect(s.store.getInstance(a.instanceId)!.singleSession.value).toBe(1);

    const late = s.send(a.instanceId, 'set-single-session', { value: 0 });
    jest.advanceTimersByTime(150);
    expect(s.inv(late.commandId, a.instanceId).status).toBe('InProgress');
    s.lifecycle.cancel(late.commandId, [a.instanceId]);
    jest.advanceTimersByTime(50);
    expect(s.inv(late.commandId, a.instanceId)).toMatchObject({ status: 'Cancelled', effectApplied: true });
    expect(s.store.getInstance(a.instanceId)!.singleSession.value).toBe(0);
  });

  it('restart-computer: reports, then the agent drops, sessions end, the removal completes, and it returns with a new boot time', () => {
    const s = setup();
    const i = s.instance('cause-a-and-b');
    s.store.getInstance(i.instanceId)!.rdsh.removalPending = true;
    const bootBefore = s.store.getInstance(i.instanceId)!.bootTime;
    const cmd = s.send(i.instanceId, 'restart-computer', { delaySeconds: 10 });
    jest.advanceTimersByTime(300);
    const v = s.inv(cmd.commandId, i.instanceId);
    expect(v.status).toBe('Success');
    expect(lastJsonLine(v.stdout)).toMatchObject({ scheduled: true, bootTime: bootBefore });
    expect(s.agent.pingStatus(i.instanceId)).toBe('Online');
    jest.advanceTimersByTime(100); // 10 s × 1000 × 0.01
    expect(s.agent.pingStatus(i.instanceId)).toBe('ConnectionLost');
    expect(s.admin.groundTruth(i.instanceId)).toEqual({ canRdp: false, reasons: ['rebooting'] });
    const during = s.store.getInstance(i.instanceId)!;
    expect(during.sessions).toEqual([]);
    expect(during.rdsh).toEqual({ installed: false, removalPending: false });
    jest.advanceTimersByTime(1000);
    expect(s.agent.pingStatus(i.instanceId)).toBe('Online');
    expect(s.store.getInstance(i.instanceId)!.bootTime).not.toBe(bootBefore);
    // Single session is still 1 but Administrator's session is gone: RDP works.
    expect(s.admin.groundTruth(i.instanceId).canRdp).toBe(true);
  });

  it('a restart under a running script fails it once the agent is back', () => {
    const s = setup();
    const i = s.instance();
    const cmd = s.send(i.instanceId, 'diagnose');
    jest.advanceTimersByTime(150);
    s.admin.restart(i.instanceId);
    jest.advanceTimersByTime(500);
    const v = s.inv(cmd.commandId, i.instanceId);
    expect(v.status).toBe('InProgress');
    jest.advanceTimersByTime(500);
    expect(v).toMatchObject({ status: 'Failed', responseCode: -1 });
    expect(v.stderr).toMatch(/interrupted/);
  });

  it('Undeliverable fault fails the invocation at delivery', () => {
    const s = setup();
    const i = s.instance();
    s.admin.setInstanceFaults(i.instanceId, { undeliverableRate: 1 });
    const cmd = s.send(i.instanceId, 'diagnose');
    jest.advanceTimersByTime(100);
    expect(s.inv(cmd.commandId, i.instanceId)).toMatchObject({ status: 'Failed', statusDetails: 'Undeliverable', responseCode: -1, startedAt: null });
  });

  it('a flapping agent delays delivery until its offline window ends', () => {
    const s = setup();
    const i = s.instance();
    // Offline during the last 300 ms of every 500 ms (t=200..500, 700..1000, ...).
    s.admin.setInstanceFaults(i.instanceId, { agentFlap: { periodMs: 500, downMs: 300 } });
    jest.advanceTimersByTime(150);
    const cmd = s.send(i.instanceId, 'diagnose');
    const v = s.inv(cmd.commandId, i.instanceId);
    jest.advanceTimersByTime(100); // t=250: due for delivery, but the agent is away
    expect(v.statusDetails).toBe('Delayed');
    expect(s.agent.pingStatus(i.instanceId)).toBe('ConnectionLost');
    jest.advanceTimersByTime(249);
    expect(v.statusDetails).toBe('Delayed');
    jest.advanceTimersByTime(1); // t=500: back
    expect(s.agent.pingStatus(i.instanceId)).toBe('Online');
    expect(v.statusDetails).toBe('Pending');
    jest.advanceTimersByTime(100); // t=600: delivered
    expect(v.status).toBe('InProgress');
    jest.advanceTimersByTime(200); // t=800: finished on the box, agent away until 1000
    expect(v.status).toBe('InProgress');
    jest.advanceTimersByTime(200);
    expect(v.status).toBe('Success');
  });

  it('close() leaves no timers behind', () => {
    const s = setup();
    const i = s.instance();
    s.send(i.instanceId, 'restart-computer', { delaySeconds: 600 });
    expect(s.scheduler.size).toBeGreaterThan(0);
    s.scheduler.close();
    expect(s.scheduler.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
