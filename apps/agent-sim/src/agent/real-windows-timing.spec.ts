import { HeldSends } from '../faults/held-sends';
import { RunLedger } from '../ledger/run-ledger';
import { AdminService } from '../admin/admin.service';
import { Rng } from '../common/rng';
import { SimulatorOptions, resolveOptions } from '../config/simulator-options';
import { FaultService } from '../faults/fault.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { Scheduler } from '../lifecycle/scheduler';
import { InstanceOverrides } from '../model/instance';
import { evaluateGroundTruth } from '../model/ground-truth';
import { PresetName } from '../model/presets';
import { SimStore } from '../store/sim-store';
import { lastJsonLine, renderScriptText } from '../testing/script-text';
import { AgentService } from './agent.service';

/**
 * Issue 7: timing that real Windows has and a naive model lacks. A feature removal slower than
 * the command's execution timeout (the channel kills PowerShell, servicing goes on), and
 * TermService / the RDP listener coming up after the agent when the server restarts.
 */
function setup(over: Partial<SimulatorOptions> = {}) {
  const options = resolveOptions({ invisibleMs: 100, pendingMs: 100, runMs: 200, cancelMs: 50, rebootDownMs: 1000, rebootDelayScale: 0.01, timeoutScale: 0.01, seed: 1, ...over });
  const store = new SimStore();
  const rng = new Rng(1);
  const scheduler = new Scheduler();
  const faults = new FaultService(store, rng, options);
  const agent = new AgentService(store, faults, scheduler, options);
  const ledger = new RunLedger();
  const lifecycle = new LifecycleService(store, scheduler, agent, faults, rng, options, ledger);
  const admin = new AdminService(store, agent, faults, scheduler, rng, ledger, new HeldSends());
  const instance = (preset: PresetName, overrides?: InstanceOverrides) => admin.createInstance({ tenantId: 't', region: 'us-east-1', os: '2012R2', preset, overrides });
  const send = (instanceId: string, name: string, version: number, params: Record<string, string | number>, exec: number) =>
    lifecycle.send({
      documentName: 'AWS-RunPowerShellScript',
      comment: 'rdpfix:run-1',
      parameters: { commands: [renderScriptText(name, version, params)], executionTimeout: [String(exec)] },
      instanceIds: [instanceId],
      region: 'us-east-1',
      timeoutSeconds: 600,
      executionTimeoutSeconds: exec,
      maxConcurrency: '50',
      maxErrors: '0',
    });
  return { store, agent, admin, send, scheduler, instance, inv: (c: string, i: string) => store.getInvocation(c, i)! };
}

describe('real Windows timing in the simulator', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a role removal slower than its execution timeout: TimedOut, then servicing completes and the removal is pending', () => {
    const s = setup();
    // Uninstall-WindowsFeature takes 2,400 s here; the command allows 1,800 s (× timeoutScale 0.01).
    const i = s.instance('cause-b', { servicing: { roleRemovalSeconds: 2400 } });
    const cmd = s.send(i.instanceId, 'remove-rdsh-role', 2, { despiteLicensing: 0 }, 1800);
    const v = s.inv(cmd.commandId, i.instanceId);
    jest.advanceTimersByTime(100 + 18_000);
    expect([v.status, v.statusDetails]).toEqual(['TimedOut', 'ExecutionTimedOut']);
    // Killed, but Windows servicing still runs: nothing pending yet...
    expect(s.store.getInstance(i.instanceId)!.rdsh).toEqual({ installed: true, removalPending: false });
    jest.advanceTimersByTime(5_999);
    expect(s.store.getInstance(i.instanceId)!.rdsh.removalPending).toBe(false);
    // ...until its modelled end (2,400 s × 0.01 after the start).
    jest.advanceTimersByTime(1);
    expect(s.store.getInstance(i.instanceId)!.rdsh).toEqual({ installed: true, removalPending: true });
    expect(v.effectApplied).toBe(true);
  });

  it('a removal within its timeout completes normally; a hanging script still applies nothing', () => {
    const s = setup();
    const i = s.instance('cause-b', { servicing: { roleRemovalSeconds: 600 } });
    const cmd = s.send(i.instanceId, 'remove-rdsh-role', 2, { despiteLicensing: 0 }, 1800);
    jest.advanceTimersByTime(100 + 6_000);
    expect(s.inv(cmd.commandId, i.instanceId).status).toBe('Success');
    expect(s.store.getInstance(i.instanceId)!.rdsh.removalPending).toBe(true);

    const h = s.instance('cause-b');
    s.admin.setInstanceFaults(h.instanceId, { hangScripts: ['remove-rdsh-role'] });
    const hung = s.send(h.instanceId, 'remove-rdsh-role', 2, { despiteLicensing: 0 }, 60);
    jest.advanceTimersByTime(100 + 600 + 10_000);
    expect(s.inv(hung.commandId, h.instanceId).statusDetails).toBe('ExecutionTimedOut');
    expect(s.store.getInstance(h.instanceId)!.rdsh.removalPending).toBe(false);
  });

  it('after a restart the agent is back before TermService and the listener', () => {
    const s = setup();
    const i = s.instance('healthy', { boot: { termServiceDelayMs: 2000, listenerDelayMs: 3000 } });
    const boot = new Date(i.bootTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cmd = s.send(i.instanceId, 'restart-computer', 2, { delaySeconds: 10, expectedBootTime: boot }, 600);
    jest.advanceTimersByTime(300);
    expect(lastJsonLine(s.inv(cmd.commandId, i.instanceId).stdout)).toMatchObject({ scheduled: true });
    jest.advanceTimersByTime(100 + 1000); // down, then the agent is back
    expect(s.agent.pingStatus(i.instanceId)).toBe('Online');
    const inst = s.store.getInstance(i.instanceId)!;
    expect(evaluateGroundTruth(inst).reasons).toEqual(['termservice_stopped', 'listener_down']);
    jest.advanceTimersByTime(2000);
    expect(evaluateGroundTruth(inst).reasons).toEqual(['listener_down']);
    jest.advanceTimersByTime(1000);
    expect(evaluateGroundTruth(inst)).toEqual({ canRdp: true, reasons: [] });
  });

  it('a restart applies a licensing mode that was written to the registry', () => {
    const s = setup();
    const i = s.instance('licensed-ok', { licensing: { pendingMode: 5 } });
    s.agent.restartNow(i.instanceId);
    expect(s.store.getInstance(i.instanceId)!.licensing).toMatchObject({ mode: 5, pendingMode: null });
  });
});
