import { DiagnosisFacts } from '../facts';
import { planRemediation } from '../planner';
import { ADMIN_ACTIVE, FactsOverrides, LOCKED_OUT, SINGLE_SESSION, combine, factsFixture } from '../planner/testing/facts-fixture';
import { PlanRequest } from '../request';
import { BOOT_TIME_TOLERANCE_MS, bootTimeChanged } from './boot-time';
import { ActPlan, VerificationResult, evaluateVerification } from './verification';

const REMOVE: PlanRequest = { mode: 'fix', strategy: 'remove-role', allowReboot: true };
const CL: PlanRequest = { mode: 'fix', strategy: 'configure-licensing', allowReboot: false, licenseServer: 'ls1.corp.example', licensingMode: 'per-device' };
const LATER = '2025-01-02T03:04:05Z';

function actPlan(before: DiagnosisFacts, req: PlanRequest): ActPlan {
  const p = planRemediation(before, req);
  if (p.decision !== 'act') throw new Error(`expected act, got ${p.decision}`);
  return p;
}

function check(r: VerificationResult, name: string) {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in ${r.checks.map((x) => x.name).join(',')}`);
  return c;
}

function failing(r: VerificationResult): string[] {
  return r.checks.filter((c) => !c.passed).map((c) => c.name);
}

/** A correctly licensed per-device host after configure-licensing. */
const CONFIGURED: FactsOverrides = {
  licensing: { mode: 2, modeSource: 'local', servers: ['ls1.corp.example'], serversSource: 'local', statuses: [11] },
};
const REMOVED: FactsOverrides = { rdsh: { installed: false, terminalServerMode: 0, removalPending: false }, graceDays: null, bootTime: LATER };
/** After F1: several sessions per user; the administrator's session is still there. */
const A_FIXED: FactsOverrides = { singleSession: { value: 0, source: 'local' }, sessions: [ADMIN_ACTIVE] };

describe('evaluateVerification — cause A', () => {
  const before = factsFixture(SINGLE_SESSION);
  const plan = actPlan(before, REMOVE);

  it('passes when single-session is 0 and RDP is up, without a reboot', () => {
    const r = evaluateVerification({ before, after: factsFixture(A_FIXED), plan, rebooted: false });
    expect(r.passed).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(['single_session_cleared', 'no_cause_remaining', 'termservice_running', 'listener_up', 'firewall_open', 'boot_time']);
    expect(check(r, 'boot_time').detail).toMatch(/No restart was planned and none happened/);
  });

  it('fails when single-session is still 1', () => {
    const r = evaluateVerification({ before, after: factsFixture(SINGLE_SESSION), plan, rebooted: false });
    expect(r.passed).toBe(false);
    expect(failing(r)).toEqual(['single_session_cleared', 'no_cause_remaining']);
    expect(check(r, 'single_session_cleared').detail).toMatch(/still 1 \(source: local\)/);
  });

  it('fails when single-session cannot be read after the change (nothing unproven is claimed)', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(A_FIXED, { singleSession: { value: null } })), plan, rebooted: false });
    expect(failing(r)).toEqual(['single_session_cleared', 'no_cause_remaining']);
    expect(check(r, 'single_session_cleared').detail).toMatch(/could not be read/);
  });

  it('an unexpected restart is reported but does not fail a no-reboot plan', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(A_FIXED, { bootTime: LATER })), plan, rebooted: false });
    expect(r.passed).toBe(true);
    expect(check(r, 'boot_time').detail).toMatch(/restarted for another reason/);
  });
});

describe('evaluateVerification — cause B, remove-role', () => {
  const before = factsFixture(LOCKED_OUT);
  const plan = actPlan(before, REMOVE);

  it('passes when the role is gone, RDP is up and the boot time changed', () => {
    const r = evaluateVerification({ before, after: factsFixture(REMOVED), plan, rebooted: true });
    expect(failing(r)).toEqual([]);
    expect(r.passed).toBe(true);
    expect(check(r, 'rdsh_role_removed').passed).toBe(true);
  });

  it.each<[string, FactsOverrides]>([
    ['feature still installed', { rdsh: { installed: true, terminalServerMode: 0, removalPending: false } }],
    ['TerminalServerMode still 1', { rdsh: { installed: false, terminalServerMode: 1, removalPending: false } }],
    ['removal still pending', { rdsh: { installed: false, terminalServerMode: 0, removalPending: true } }],
  ])('fails rdsh_role_removed when %s', (_n, o) => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, o)), plan, rebooted: true });
    expect(r.passed).toBe(false);
    expect(failing(r)).toContain('rdsh_role_removed');
  });

  it('fails boot_time when a reboot was done but the boot time is unchanged', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { bootTime: before.bootTime })), plan, rebooted: true });
    expect(failing(r)).toEqual(['boot_time']);
    expect(check(r, 'boot_time').detail).toMatch(/did not change/);
  });

  it('treats the same instant written differently as unchanged', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { bootTime: '2025-01-01T00:00:00.000Z' })), plan, rebooted: true });
    expect(failing(r)).toEqual(['boot_time']);
  });

  it('tolerates a clock step: a boot time moved by a minute is the same boot', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { bootTime: '2025-01-01T00:01:00Z' })), plan, rebooted: true });
    expect(failing(r)).toEqual(['boot_time']);
  });

  it('fails free_session when both administrator sessions are taken after the removal', () => {
    const two = ['alice rdp-tcp#1 2 Active . x', 'bob rdp-tcp#2 3 Active . x', 'carol console 1 Active . x'];
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { sessions: two })), plan, rebooted: true });
    expect(failing(r)).toEqual(['free_session']);
    const one = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { sessions: two.slice(1) })), plan, rebooted: true });
    expect(one.passed).toBe(true);
    const unknown = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { sessions: null })), plan, rebooted: true });
    expect(failing(unknown)).toEqual(['free_session']);
  });

  it.each<[string, FactsOverrides, boolean]>([
    ['firewall on, RDP rule enabled', { firewall: { enabled: true, rdpAllowed: true } }, true],
    ['firewall off', { firewall: { enabled: false, rdpAllowed: false } }, true],
    ['firewall on, no rule for 3389', { firewall: { enabled: true, rdpAllowed: false } }, false],
    ['firewall unreadable', { firewall: { enabled: null, rdpAllowed: null } }, false],
  ])('firewall_open: %s', (_n, o, ok) => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, o)), plan, rebooted: true });
    expect(check(r, 'firewall_open').passed).toBe(ok);
  });

  it('fails when the role state cannot be read after the restart', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { rdsh: { installed: null } })), plan, rebooted: true });
    expect(failing(r)).toEqual(['rdsh_role_removed']);
    expect(check(r, 'rdsh_role_removed').detail).toMatch(/installed = unknown/);
  });

  it('fails boot_time when the plan needed a restart that did not happen', () => {
    const r = evaluateVerification({ before, after: factsFixture(REMOVED), plan, rebooted: false });
    expect(failing(r)).toEqual(['boot_time']);
    expect(check(r, 'boot_time').detail).toMatch(/needs a restart/);
  });

  it('fails termservice_running when TermService is stopped', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { termService: 'stopped' })), plan, rebooted: true });
    expect(failing(r)).toEqual(['termservice_running']);
    expect(check(r, 'termservice_running').detail).toBe('TermService is stopped.');
  });

  it('fails termservice_running when its state is unknown', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { termService: 'unknown' })), plan, rebooted: true });
    expect(failing(r)).toEqual(['termservice_running']);
  });

  it('fails listener_up when the listener is down', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, { listener: { up: false, port: 3389 } })), plan, rebooted: true });
    expect(failing(r)).toEqual(['listener_up']);
    expect(check(r, 'listener_up').detail).toMatch(/port 3389/);
  });

  it('reboot-only plan (removal already pending) is verified like a role removal', () => {
    const b = factsFixture(combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: true }, pendingReboot: { cbs: true, wu: false, fileRename: false } }));
    const p = actPlan(b, REMOVE);
    expect(p.actions).toEqual([]);
    expect(evaluateVerification({ before: b, after: factsFixture(REMOVED), plan: p, rebooted: true }).passed).toBe(true);
    expect(evaluateVerification({ before: b, after: factsFixture(combine(REMOVED, { bootTime: b.bootTime })), plan: p, rebooted: true }).passed).toBe(false);
  });

  it('a user logging on after the restart (default single-session on) is not held against the fix', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(REMOVED, SINGLE_SESSION)), plan, rebooted: true });
    expect(failing(r)).toEqual([]);
  });

  it('fails no_cause_remaining when a licensing lockout appears that was not there before', () => {
    const b = factsFixture(SINGLE_SESSION);
    const p = actPlan(b, REMOVE);
    const r = evaluateVerification({ before: b, after: factsFixture(combine(LOCKED_OUT, A_FIXED)), plan: p, rebooted: false });
    expect(failing(r)).toEqual(['no_cause_remaining']);
    expect(check(r, 'no_cause_remaining').detail).toMatch(/licensing_lockout is present now/);
  });

  it('a cause the plan left alone is reported, not held against the fix', () => {
    const b = factsFixture(combine(LOCKED_OUT, { singleSession: { value: 1, source: 'policy' }, sessions: [ADMIN_ACTIVE] }));
    const p = actPlan(b, REMOVE);
    expect(p.left?.map((l) => l.cause)).toEqual(['single_session']);
    const r = evaluateVerification({ before: b, after: factsFixture(combine(REMOVED, { singleSession: { value: 1, source: 'policy' }, sessions: [ADMIN_ACTIVE] })), plan: p, rebooted: true });
    expect(failing(r)).toEqual([]);
  });
});

describe('evaluateVerification — cause B, configure-licensing', () => {
  const before = factsFixture(LOCKED_OUT);
  const plan = actPlan(before, CL);

  it('passes when mode, list and reachability are right, no reboot', () => {
    const r = evaluateVerification({ before, after: factsFixture(combine(LOCKED_OUT, CONFIGURED)), plan, rebooted: false });
    expect(failing(r)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual([
      'licensing_mode',
      'license_server_listed',
      'license_server_reachable',
      'no_cause_remaining',
      'termservice_running',
      'listener_up',
      'firewall_open',
      'boot_time',
    ]);
  });

  it('matches the server name case-insensitively', () => {
    const after = factsFixture(
      combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['LS1.CORP.EXAMPLE'], statuses: [1] } }),
    );
    expect(evaluateVerification({ before, after, plan, rebooted: false }).passed).toBe(true);
  });

  it('fails licensing_mode when the mode differs from the requested one', () => {
    const after = factsFixture(combine(LOCKED_OUT, CONFIGURED, { licensing: { mode: 4 } }));
    const r = evaluateVerification({ before, after, plan, rebooted: false });
    // mode 4 on a workgroup also leaves the lockout in place
    expect(failing(r)).toEqual(['licensing_mode', 'no_cause_remaining']);
    expect(check(r, 'licensing_mode').detail).toMatch(/LicensingType is 4, expected 2/);
  });

  it('fails license_server_listed when the server is missing from the list', () => {
    const after = factsFixture(combine(LOCKED_OUT, CONFIGURED, { licensing: { servers: ['other'], statuses: [11] } }));
    const r = evaluateVerification({ before, after, plan, rebooted: false });
    expect(failing(r)).toEqual(['license_server_listed', 'license_server_reachable']);
  });

  it.each([6, 8, 5, 4, 0])('fails license_server_reachable with status %i', (status) => {
    const after = factsFixture(combine(LOCKED_OUT, CONFIGURED, { licensing: { statuses: [status] } }));
    const r = evaluateVerification({ before, after, plan, rebooted: false });
    expect(failing(r)).toEqual(['license_server_reachable', 'no_cause_remaining']);
    expect(check(r, 'license_server_reachable').detail).toContain(`= ${status} (`);
  });

  it('status -1 after the change: not proven, and the lockout cannot be ruled out', () => {
    const after = factsFixture(combine(LOCKED_OUT, CONFIGURED, { licensing: { statuses: [-1] } }));
    const r = evaluateVerification({ before, after, plan, rebooted: false });
    expect(failing(r)).toEqual(['license_server_reachable', 'no_cause_remaining']);
    expect(check(r, 'no_cause_remaining').detail).toMatch(/could not be ruled out/);
  });

  it('fails license_server_reachable when no status was reported', () => {
    const after = factsFixture(combine(LOCKED_OUT, CONFIGURED, { licensing: { statuses: [] } }));
    const r = evaluateVerification({ before, after, plan, rebooted: false });
    expect(check(r, 'license_server_reachable')).toMatchObject({ passed: false, detail: expect.stringMatching(/No connectivity status/) });
  });
});

describe('evaluateVerification — both causes', () => {
  it('checks each cause of the plan', () => {
    const before = factsFixture(combine(SINGLE_SESSION, LOCKED_OUT));
    const plan = actPlan(before, REMOVE);
    const ok = evaluateVerification({ before, after: factsFixture(combine(REMOVED, A_FIXED)), plan, rebooted: true });
    expect(ok.passed).toBe(true);
    expect(ok.checks.map((c) => c.name)).toEqual(['single_session_cleared', 'rdsh_role_removed', 'free_session', 'no_cause_remaining', 'termservice_running', 'listener_up', 'firewall_open', 'boot_time']);
    const half = evaluateVerification({ before, after: factsFixture(combine(REMOVED, SINGLE_SESSION)), plan, rebooted: true });
    expect(failing(half)).toEqual(['single_session_cleared', 'no_cause_remaining']);
  });
});

describe('bootTimeChanged', () => {
  it('tolerates clock steps up to the tolerance, both ways', () => {
    expect(BOOT_TIME_TOLERANCE_MS).toBeGreaterThanOrEqual(60_000);
    const t = '2025-01-01T00:00:00Z';
    expect(bootTimeChanged(t, '2025-01-01T00:00:00.000Z')).toBe(false);
    expect(bootTimeChanged(t, new Date(Date.parse(t) + BOOT_TIME_TOLERANCE_MS).toISOString())).toBe(false);
    expect(bootTimeChanged(t, new Date(Date.parse(t) - BOOT_TIME_TOLERANCE_MS).toISOString())).toBe(false);
    expect(bootTimeChanged(t, new Date(Date.parse(t) + BOOT_TIME_TOLERANCE_MS + 1000).toISOString())).toBe(true);
    expect(bootTimeChanged(new Date(t), new Date(Date.parse(t) + 3_600_000))).toBe(true);
    expect(bootTimeChanged('garbage', 'garbage')).toBe(false);
    expect(bootTimeChanged('garbage', t)).toBe(true);
  });
});
