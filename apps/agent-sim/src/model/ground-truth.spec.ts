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
    ['licensed-ls-unreachable', false, ['licensing_lockout']],
    ['cause-b-with-ls-role', false, ['licensing_lockout']],
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

  it('the healthy preset is healthy with the Windows default single-session on (the rule is the symptom)', () => {
    const h = make('healthy');
    expect(h.singleSession.value).toBe(1);
    expect(evaluateGroundTruth(h)).toEqual({ canRdp: true, reasons: [] });
    // Only an ACTIVE session of the connecting account blocks; a disconnected one is reconnected.
    const disc = make('healthy', { sessions: [{ username: 'administrator', id: 2, state: 'Disc' }] });
    expect(evaluateGroundTruth(disc).canRdp).toBe(true);
    const other = make('healthy', { sessions: [{ username: 'bob', id: 2 }] });
    expect(evaluateGroundTruth(other).canRdp).toBe(true);
    expect(evaluateGroundTruth(other, { user: 'bob' }).reasons).toEqual(['single_session_conflict']);
  });

  it('license server statuses as LocalSystem sees them: -1 and (on a domain member) 8 hide a working server; 6 is a real outage', () => {
    const st = (status: number, partOfDomain = true) =>
      evaluateGroundTruth(make('licensed-ok', { domain: { partOfDomain, role: partOfDomain ? 3 : 2 }, licensing: { mode: 2, reachability: { 'ls01.corp.example.com': status } } }));
    expect(st(-1).canRdp).toBe(true);
    expect(st(8).canRdp).toBe(true);
    expect(st(8, false).reasons).toEqual(['licensing_lockout']);
    expect(st(6).reasons).toEqual(['licensing_lockout']);
    expect(st(5).reasons).toEqual(['licensing_lockout']);
  });

  it('reports a firewall that blocks the RDP port', () => {
    expect(evaluateGroundTruth(make('healthy', { firewall: { enabled: true, rdpAllowed: false } })).reasons).toEqual(['firewall_blocked']);
    expect(evaluateGroundTruth(make('healthy', { firewall: { enabled: false, rdpAllowed: false } })).canRdp).toBe(true);
  });

  it('a licensing mode written to the registry counts only after the restart', () => {
    const pending = make('licensed-ok', { licensing: { pendingMode: 5 } });
    expect(evaluateGroundTruth(pending).canRdp).toBe(true);
  });
});
