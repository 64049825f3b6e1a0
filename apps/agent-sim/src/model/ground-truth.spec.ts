import { Rng } from '../common/rng';
import { evaluateGroundTruth } from './ground-truth';
import { InstanceSpec, buildInstance } from './instance-factory';
import { PresetName } from './presets';

const rng = new Rng(1);
const make = (preset: PresetName, overrides?: InstanceSpec['overrides']) =>
  buildInstance({ tenantId: 't1', region: 'us-east-1', os: '2019', preset, overrides }, rng);

describe('evaluateGroundTruth', () => {
  it.each<[PresetName, boolean, string[]]>([
    ['healthy', true, []],
    ['cause-a', false, ['single_session_conflict']],
    ['cause-b', false, ['licensing_lockout']],
    ['cause-a-and-b', false, ['licensing_lockout', 'single_session_conflict']],
    ['cause-b-in-grace', true, []],
    ['licensed-ok', true, []],
  ])('preset %s → canRdp %s %j', (preset, canRdp, reasons) => {
    expect(evaluateGroundTruth(make(preset))).toEqual({ canRdp, reasons });
  });

  it('reports service, listener and deny problems', () => {
    const inst = make('healthy', { termService: 'stopped', listener: { up: false }, denyConnections: { value: 1 } });
    expect(evaluateGroundTruth(inst).reasons).toEqual(['termservice_stopped', 'listener_down', 'rdp_disabled']);
  });

  it('uses the policy value when the source is policy', () => {
    const denyByPolicy = make('healthy', { denyConnections: { value: 0, source: 'policy', policyValue: 1 } });
    expect(evaluateGroundTruth(denyByPolicy).reasons).toEqual(['rdp_disabled']);
    // Local says 1 but the GPO says 0: no conflict.
    const gpoAllows = make('cause-a', { singleSession: { value: 1, source: 'policy', policyValue: 0 } });
    expect(evaluateGroundTruth(gpoAllows).canRdp).toBe(true);
    // Licensing mode from policy wins over a local per-device mode.
    const policyMode = make('cause-b', {
      licensing: { mode: 2, servers: ['ls1'], modeSource: 'policy', policyMode: 5 },
    });
    expect(evaluateGroundTruth(policyMode).reasons).toEqual(['licensing_lockout']);
  });

  it('treats per-user licensing on a workgroup server as unusable', () => {
    const workgroup = make('licensed-ok', { domain: { partOfDomain: false, role: 2 } });
    expect(evaluateGroundTruth(workgroup).reasons).toEqual(['licensing_lockout']);
  });

  it('needs a reachable license server', () => {
    const unreachable = make('licensed-ok', { licensing: { reachability: { 'ls01.corp.example.com': 6 } } });
    expect(evaluateGroundTruth(unreachable).reasons).toEqual(['licensing_lockout']);
    const perDevice = make('cause-b', { licensing: { mode: 2, servers: ['ls9.example.com'] } });
    expect(evaluateGroundTruth(perDevice).canRdp).toBe(true);
  });

  it('ignores a disconnected session of the same user and checks the requested user', () => {
    const disc = make('healthy', {
      singleSession: { value: 1 },
      sessions: [{ username: 'Administrator', id: 3, state: 'Disc', idleMinutes: 62 }],
    });
    expect(evaluateGroundTruth(disc).canRdp).toBe(true);
    const a = make('cause-a');
    expect(evaluateGroundTruth(a, { user: 'bob' }).canRdp).toBe(true);
    expect(evaluateGroundTruth(a, { user: 'ADMINISTRATOR' }).reasons).toEqual(['single_session_conflict']);
  });

  it('limits a server without RDSH to two active remote sessions (console excluded)', () => {
    const two = make('healthy', {
      sessions: [
        { username: 'alice', id: 2, sessionName: 'rdp-tcp#0' },
        { username: 'bob', id: 3, sessionName: 'rdp-tcp#1' },
      ],
    });
    expect(evaluateGroundTruth(two).reasons).toEqual(['session_limit']);
    const withConsole = make('healthy', {
      sessions: [
        { username: 'alice', id: 1, sessionName: 'console' },
        { username: 'bob', id: 3, sessionName: 'rdp-tcp#1' },
      ],
    });
    expect(evaluateGroundTruth(withConsole).canRdp).toBe(true);
    const rdsh = make('licensed-ok', { sessions: two.sessions });
    expect(evaluateGroundTruth(rdsh).canRdp).toBe(true);
  });

  it('a pending role removal still locks out until the restart', () => {
    const pending = make('cause-b', { rdsh: { removalPending: true } });
    expect(evaluateGroundTruth(pending).reasons).toEqual(['licensing_lockout']);
  });

  it('reports only rebooting while the machine restarts', () => {
    expect(evaluateGroundTruth(make('cause-b'), { rebooting: true })).toEqual({ canRdp: false, reasons: ['rebooting'] });
  });
});
