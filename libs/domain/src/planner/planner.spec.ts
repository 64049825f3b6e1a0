import { DiagnosisFacts } from '../facts';
import { OS_FAMILIES, OsFamily } from '../os';
import { Plan, RefusalReason } from '../plan';
import { PlanRequest } from '../request';
import { detectCauses } from './causes';
import { PLAN_ACTION_KINDS, isValidLicenseServerName, planRemediation } from './planner';
import { FactsOverrides, LICENSED_RDSH, LOCKED_OUT, SINGLE_SESSION, combine, factsFixture } from './testing/facts-fixture';

const REMOVE: PlanRequest = { mode: 'fix', strategy: 'remove-role', allowReboot: false };
const CL_DEVICE: PlanRequest = {
  mode: 'fix',
  strategy: 'configure-licensing',
  allowReboot: false,
  licenseServer: 'ls1.corp.example',
  licensingMode: 'per-device',
};
const CL_USER: PlanRequest = { ...CL_DEVICE, licensingMode: 'per-user' };
const DOMAIN: FactsOverrides = { domain: { role: 3, partOfDomain: true, isDomainController: false } };
const DC: FactsOverrides = { domain: { role: 5, partOfDomain: true, isDomainController: true } };
const A_POLICY: FactsOverrides = { singleSession: { value: 1, source: 'policy' } };

function plan(overrides: FactsOverrides, request: PlanRequest = REMOVE): Plan {
  return planRemediation(factsFixture(overrides), request);
}

interface Expect {
  decision: Plan['decision'];
  reason?: RefusalReason | 'unsupported_os';
  actions?: string[];
  needsReboot?: boolean;
  causes?: string[];
  detail?: RegExp;
  note?: RegExp;
}

type Row = [name: string, overrides: FactsOverrides, request: PlanRequest, expected: Expect];

function kinds(p: Plan): string[] | undefined {
  return p.decision === 'act' ? p.actions.map((a) => a.kind) : undefined;
}

const rows: Row[] = [
  // --- no cause -------------------------------------------------------------------------
  ['healthy 2019 server', {}, REMOVE, { decision: 'healthy' }],
  ['healthy with configure-licensing strategy and no input', {}, { ...CL_DEVICE, licenseServer: null, licensingMode: null }, { decision: 'healthy' }],
  ['unsupported OS (family null)', { os: { version: '10.0.10240', family: null } }, REMOVE, { decision: 'unsupported', reason: 'unsupported_os', detail: /10\.0\.10240/ }],
  ['unsupported OS even with both causes', combine(LOCKED_OUT, SINGLE_SESSION, { os: { family: null } }), REMOVE, { decision: 'unsupported', reason: 'unsupported_os' }],
  ['RDSH within grace, licensing unconfigured: not a cause', combine(LOCKED_OUT, { graceDays: 30 }), REMOVE, { decision: 'healthy', note: /30 day\(s\) left/ }],
  ['RDSH grace over but licensing usable: normal', LICENSED_RDSH, REMOVE, { decision: 'healthy', note: /normal/ }],
  ['RDSH within grace and licensed', combine(LICENSED_RDSH, { graceDays: 90 }), REMOVE, { decision: 'healthy', note: /90 day\(s\) left\); licensing is configured/ }],
  ['TermService state unknown is not evidence of breakage', { termService: 'unknown' }, REMOVE, { decision: 'healthy' }],
  ['domain controller without a cause is simply healthy', DC, REMOVE, { decision: 'healthy' }],
  ['licensed RDSH with a removal pending: healthy, noted', combine(LICENSED_RDSH, { rdsh: { removalPending: true } }), REMOVE, { decision: 'healthy', note: /waits for a restart/ }],
  ['licensing unconfigured but no RDSH: not a cause', { graceDays: 0 }, REMOVE, { decision: 'healthy' }],

  // --- out of scope -----------------------------------------------------------------------
  ['RDP turned off locally', { denyConnections: { value: 1, source: 'local' } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', causes: [], detail: /fDenyTSConnections = 1, set by the local setting/ }],
  ['RDP turned off by policy', { denyConnections: { value: 1, source: 'policy' } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /Group Policy/ }],
  ['TermService stopped', { termService: 'stopped' }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /TermService\) is stopped/ }],
  ['listener down', { listener: { up: false, port: 3390 } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /port 3390/ }],
  ['cause A plus TermService stopped: no partial fix', combine(SINGLE_SESSION, { termService: 'stopped' }), REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', causes: ['single_session'], detail: /Besides the single-session/ }],
  ['cause B plus RDP denied', combine(LOCKED_OUT, { denyConnections: { value: 1, source: 'local' } }), REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', causes: ['licensing_lockout'] }],

  // --- cause A ----------------------------------------------------------------------------
  ['A, local setting', SINGLE_SESSION, REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: false, causes: ['single_session'], note: /new logons/ }],
  ['A, local, configure-licensing strategy irrelevant', SINGLE_SESSION, { ...CL_DEVICE, licenseServer: null }, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: false }],
  ['A enforced by Group Policy', A_POLICY, REMOVE, { decision: 'refuse', reason: 'group_policy', causes: ['single_session'], detail: /PolicySourceSingleSession = 1/ }],
  ['A on a domain controller (conservative: report only)', combine(SINGLE_SESSION, DC), REMOVE, { decision: 'refuse', reason: 'domain_controller', detail: /DomainRole = 5/ }],
  ['A on an RDS deployment member is still fixable', combine(SINGLE_SESSION, { rds: { broker: true } }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], note: /RDS deployment/ }],
  ['A with an unrelated pending reboot', combine(SINGLE_SESSION, { pendingReboot: true }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: false, note: /already pending/ }],
  ['A with sessions present: no reboot so no session note', combine(SINGLE_SESSION, { sessions: ['administrator rdp-tcp#1 2 Active . 1/1/2025 10:00'] }), REMOVE, { decision: 'act', needsReboot: false }],

  // --- cause B, remove-role -----------------------------------------------------------------
  ['B, remove-role', LOCKED_OUT, REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], needsReboot: true, causes: ['licensing_lockout'], note: /approval/ }],
  ['B, remove-role, allowReboot true: no approval note', LOCKED_OUT, { ...REMOVE, allowReboot: true }, { decision: 'act', actions: ['remove-rdsh-role'], needsReboot: true }],
  ['B, remove-role, sessions present', combine(LOCKED_OUT, { sessions: ['alice rdp-tcp#1 2 Active . x', 'bob 3 Disc . x'] }), REMOVE, { decision: 'act', note: /^2 user session\(s\).*unsaved work/ }],
  ['B, remove-role, sessions truncated', combine(LOCKED_OUT, { sessions: ['alice 2 Active'], sessionsTruncated: true }), REMOVE, { decision: 'act', note: /^At least 1 user session/ }],
  ['B, remove-role on 2008 (ServerManagerCmd path)', combine(LOCKED_OUT, { os: { family: '2008' } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], needsReboot: true }],
  ['B, remove-role, licensing set by policy does not block', combine(LOCKED_OUT, { licensing: { mode: 5, modeSource: 'policy', servers: [], serversSource: 'policy', reachability: [] } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /leaves the policy alone/ }],
  ['B, remove-role with a reboot already pending', combine(LOCKED_OUT, { pendingReboot: true }), REMOVE, { decision: 'refuse', reason: 'pending_reboot', detail: /RebootPending/ }],
  ['B, role removal already pending: restart only', combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: true }, pendingReboot: true }), REMOVE, { decision: 'act', actions: [], needsReboot: true, note: /only waits for a restart/ }],
  ['B, role removal pending with configure-licensing', combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: true } }), CL_DEVICE, { decision: 'refuse', reason: 'pending_reboot', detail: /removalPending/ }],
  ['B, role removal pending on a DC', combine(LOCKED_OUT, DC, { rdsh: { removalPending: true } }), REMOVE, { decision: 'refuse', reason: 'domain_controller' }],
  ['B on a domain controller', combine(LOCKED_OUT, DC), REMOVE, { decision: 'refuse', reason: 'domain_controller' }],
  ['B on a domain controller, configure-licensing', combine(LOCKED_OUT, DC), CL_DEVICE, { decision: 'refuse', reason: 'domain_controller' }],
  ['B with a Connection Broker', combine(LOCKED_OUT, { rds: { broker: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Connection-Broker/ }],
  ['B with RD Web Access', combine(LOCKED_OUT, { rds: { webAccess: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Web-Access/ }],
  ['B with RD Gateway', combine(LOCKED_OUT, { rds: { gateway: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Gateway/ }],
  ['B with the RD Licensing role', combine(LOCKED_OUT, { rds: { licensingRole: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Licensing/ }],
  ['B with an active session directory', combine(LOCKED_OUT, { rds: { sessionDirectory: true } }), CL_DEVICE, { decision: 'refuse', reason: 'rds_deployment', detail: /SessionDirectoryActive/ }],
  ['B detected from TerminalServerMode alone', combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: false } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'] }],
  ['B with grace days unknown on an RDSH: treated as over', combine(LOCKED_OUT, { graceDays: null }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /treated as over/ }],
  ['B, mode configured but no servers', combine(LOCKED_OUT, { licensing: { mode: 2, servers: [] } }), REMOVE, { decision: 'act', causes: ['licensing_lockout'] }],
  ['B, server listed but not connectable (6)', combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1'], reachability: [{ server: 'ls1', status: 6 }] } }), REMOVE, { decision: 'act', causes: ['licensing_lockout'] }],
  ['B, per-user mode on a workgroup server', combine(LOCKED_OUT, { licensing: { mode: 4, servers: ['ls1'], reachability: [{ server: 'ls1', status: 11 }] } }), REMOVE, { decision: 'act', causes: ['licensing_lockout'] }],
  ['B, server listed without a status on 2019: not proven usable', combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1'], reachability: [] } }), REMOVE, { decision: 'act', causes: ['licensing_lockout'] }],
  ['2008: server listed, status call absent: trusted', combine(LOCKED_OUT, { os: { family: '2008' }, licensing: { mode: 2, servers: ['ls1'], reachability: [] } }), REMOVE, { decision: 'healthy', note: /could not be checked/ }],

  // --- cause B, configure-licensing -----------------------------------------------------------
  ['B, configure-licensing per-device on a workgroup', LOCKED_OUT, CL_DEVICE, { decision: 'act', actions: ['configure-licensing'], needsReboot: false, note: /CAL type/ }],
  ['B, configure-licensing per-user on a domain member', combine(LOCKED_OUT, DOMAIN), CL_USER, { decision: 'act', actions: ['configure-licensing'], needsReboot: false }],
  ['B, configure-licensing per-user on a workgroup', LOCKED_OUT, CL_USER, { decision: 'refuse', reason: 'per_user_on_workgroup', detail: /PartOfDomain = false/ }],
  ['B, configure-licensing without server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: undefined }, { decision: 'refuse', reason: 'missing_license_input', detail: /missing: licenseServer/ }],
  ['B, configure-licensing with blank server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: '   ' }, { decision: 'refuse', reason: 'missing_license_input' }],
  ['B, configure-licensing without mode', LOCKED_OUT, { ...CL_DEVICE, licensingMode: null }, { decision: 'refuse', reason: 'missing_license_input', detail: /licensingMode/ }],
  ['B, configure-licensing without either', LOCKED_OUT, { ...CL_DEVICE, licenseServer: null, licensingMode: null }, { decision: 'refuse', reason: 'missing_license_input', detail: /licenseServer, licensingMode/ }],
  ['B, configure-licensing with a comma in the server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: 'ls1,ls2' }, { decision: 'refuse', reason: 'missing_license_input', detail: /not a valid host name/ }],
  ['B, configure-licensing with a newline in the server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: 'ls1\nmode=4' }, { decision: 'refuse', reason: 'missing_license_input' }],
  ['B, configure-licensing, mode set by policy', combine(LOCKED_OUT, { licensing: { modeSource: 'policy' } }), CL_DEVICE, { decision: 'refuse', reason: 'group_policy', detail: /LicensingMode = 5 \(Not configured\)/ }],
  ['B, configure-licensing, servers set by policy', combine(LOCKED_OUT, { licensing: { serversSource: 'policy' } }), CL_DEVICE, { decision: 'refuse', reason: 'group_policy', detail: /LicenseServers = \(empty\)/ }],
  ['B, configure-licensing with an unrelated pending reboot', combine(LOCKED_OUT, { pendingReboot: true }), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'], needsReboot: false, note: /already pending/ }],
  ['B, configure-licensing on 2008: not supported', combine(LOCKED_OUT, { os: { family: '2008' } }), CL_DEVICE, { decision: 'unsupported', reason: 'unsupported_os', detail: /2008 R2 and later/ }],
  ['B, configure-licensing on 2008 R2 works', combine(LOCKED_OUT, { os: { family: '2008R2' } }), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'] }],
  ['B, configure-licensing on 2025: CAL version caveat', combine(LOCKED_OUT, { os: { family: '2025' } }), CL_DEVICE, { decision: 'act', note: /2022 RDS CALs\) do not license a 2025/ }],
  ['B, configure-licensing with a server already known unreachable', combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1.corp.example'], reachability: [{ server: 'LS1.corp.example', status: 6 }] } }), CL_DEVICE, { decision: 'act', note: /GetTStoLSConnectivityStatus = 6/ }],
  ['B per-user on workgroup fixed by switching to per-device', combine(LOCKED_OUT, { licensing: { mode: 4, servers: ['ls1.corp.example'], reachability: [{ server: 'ls1.corp.example', status: 11 }] } }), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'] }],

  // --- both causes ----------------------------------------------------------------------------
  ['A + B, remove-role: single-session first', combine(SINGLE_SESSION, LOCKED_OUT), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions', 'remove-rdsh-role'], needsReboot: true, causes: ['single_session', 'licensing_lockout'] }],
  ['A + B, configure-licensing', combine(SINGLE_SESSION, LOCKED_OUT), CL_DEVICE, { decision: 'act', actions: ['allow-multiple-sessions', 'configure-licensing'], needsReboot: false }],
  ['A + B, role removal pending', combine(SINGLE_SESSION, LOCKED_OUT, { rdsh: { removalPending: true } }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: true }],
  ['A by policy + B: whole remediation refused', combine(A_POLICY, LOCKED_OUT), REMOVE, { decision: 'refuse', reason: 'group_policy', causes: ['single_session', 'licensing_lockout'], note: /licensing lockout alone could be fixed/ }],
  ['A + B on an RDS deployment: whole remediation refused', combine(SINGLE_SESSION, LOCKED_OUT, { rds: { gateway: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', note: /single-session restriction alone could be fixed/ }],
  ['A + B, missing license input: whole remediation refused', combine(SINGLE_SESSION, LOCKED_OUT), { ...CL_DEVICE, licenseServer: null }, { decision: 'refuse', reason: 'missing_license_input', note: /single-session restriction alone could be fixed/ }],
  ['A by policy + B with broker: both blocked', combine(A_POLICY, LOCKED_OUT, { rds: { broker: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS deployment.*fSingleSessionPerUser/s, note: /Both causes are blocked/ }],
  ['A + B on a DC with missing input: DC reported first, all blockers listed', combine(SINGLE_SESSION, LOCKED_OUT, DC), { ...CL_DEVICE, licensingMode: null }, { decision: 'refuse', reason: 'domain_controller', detail: /domain controller.*missing: licensingMode/s, note: /Both causes are blocked/ }],
  ['A + B on 2008 with configure-licensing: unsupported', combine(SINGLE_SESSION, LOCKED_OUT, { os: { family: '2008' } }), CL_DEVICE, { decision: 'unsupported', reason: 'unsupported_os' }],
  ['A by policy + B on 2008 with configure-licensing: refusal wins, both listed', combine(A_POLICY, LOCKED_OUT, { os: { family: '2008' } }), CL_DEVICE, { decision: 'refuse', reason: 'group_policy', detail: /fSingleSessionPerUser.*not supported on Windows Server 2008/s }],

  // --- diagnostics -----------------------------------------------------------------------------
  ['check errors are reported as a note', combine(SINGLE_SESSION, { errors: ['grace: access denied', 'quser: x', 'ls: y', 'events: z'] }), REMOVE, { decision: 'act', note: /grace: access denied.*\(\+1 more\)/ }],
];

describe('planRemediation — table', () => {
  it.each(rows)('%s', (_name, overrides, request, exp) => {
    const p = plan(overrides, request);
    expect(p.decision).toBe(exp.decision);
    if (exp.reason) expect((p as { reason?: string }).reason).toBe(exp.reason);
    if (exp.actions) expect(kinds(p)).toEqual(exp.actions);
    if (exp.needsReboot !== undefined) expect(p.decision === 'act' && p.needsReboot).toBe(exp.needsReboot);
    if (exp.causes) expect((p as { causes?: string[] }).causes).toEqual(exp.causes);
    if (exp.detail) expect((p as { detail?: string }).detail).toMatch(exp.detail);
    if (exp.note) expect(p.notes.some((n) => exp.note!.test(n))).toBe(true);
    if (p.decision === 'refuse' || p.decision === 'unsupported') expect(p.detail.length).toBeGreaterThan(20);
  });
});

describe('planRemediation — specifics', () => {
  it('configure-licensing action carries the trimmed server and the requested mode', () => {
    const p = plan(LOCKED_OUT, { ...CL_DEVICE, licenseServer: '  ls9.example.com ' });
    expect(p).toMatchObject({ decision: 'act', actions: [{ kind: 'configure-licensing', licensingMode: 'per-device', licenseServer: 'ls9.example.com' }] });
  });

  it('a healthy server has no notes', () => {
    expect(plan({})).toEqual({ decision: 'healthy', notes: [] });
  });

  it('no approval note when the reboot is allowed, and none for plans without a reboot', () => {
    const allowed = plan(LOCKED_OUT, { ...REMOVE, allowReboot: true });
    expect(allowed.notes.some((n) => /approval/.test(n))).toBe(false);
    const noReboot = plan(SINGLE_SESSION);
    expect(noReboot.notes.some((n) => /approval|restart will end/.test(n))).toBe(false);
  });

  it('the refusal of two causes names the blocking setting precisely', () => {
    const p = plan(combine(A_POLICY, LOCKED_OUT));
    expect(p.decision).toBe('refuse');
    if (p.decision !== 'refuse') return;
    expect(p.detail).toContain('HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\fSingleSessionPerUser');
    expect(p.detail).toContain('gpresult /scope computer');
  });

  it.each([1, 2, 9, 11])('license server status %i counts as reachable', (status) => {
    const p = plan(combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1'], reachability: [{ server: 'ls1', status }] } }));
    expect(p.decision).toBe('healthy');
  });

  it.each([0, 3, 4, 5, 6, 7, 8, 10, 12, -1])('license server status %i does not count as reachable', (status) => {
    const p = plan(combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1'], reachability: [{ server: 'ls1', status }] } }));
    expect(p).toMatchObject({ decision: 'act', causes: ['licensing_lockout'] });
  });

  it('one reachable server among several is enough', () => {
    const p = plan(
      combine(LOCKED_OUT, {
        licensing: { mode: 2, servers: ['a', 'b'], reachability: [{ server: 'a', status: 6 }, { server: 'B', status: 11 }] },
      }),
    );
    expect(p.decision).toBe('healthy');
  });

  it.each([1, 5])('licensing mode %i is not configured', (mode) => {
    const p = plan(combine(LOCKED_OUT, { licensing: { mode: mode as 1 | 5, servers: ['ls1'], reachability: [{ server: 'ls1', status: 11 }] } }));
    expect(p).toMatchObject({ decision: 'act', causes: ['licensing_lockout'] });
  });

  it('never mutates its inputs', () => {
    const facts = factsFixture(combine(SINGLE_SESSION, LOCKED_OUT));
    const req = { ...CL_DEVICE };
    const snapshot = JSON.stringify([facts, req]);
    planRemediation(facts, req);
    expect(JSON.stringify([facts, req])).toBe(snapshot);
  });

  it.each([
    ['ls1', true],
    ['ls1.corp.example', true],
    ['10.0.0.5', true],
    ['LS_01', true],
    ['', false],
    ['ls 1', false],
    ['ls1,ls2', false],
    ['ls1;x', false],
    ["ls1'", false],
    ['a'.repeat(254), false],
    ['-x', false],
  ])('isValidLicenseServerName(%j) = %s', (name, ok) => {
    expect(isValidLicenseServerName(name as string)).toBe(ok);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-style: all OS families × all combinations of a few booleans × grace × requests.
// ---------------------------------------------------------------------------------------------

const BOOLS = ['singleSession', 'ssPolicy', 'rdsh', 'licensed', 'dc', 'rds', 'licPolicy', 'pendingReboot', 'removalPending', 'partOfDomain', 'broken'] as const;
type Flags = Record<(typeof BOOLS)[number], boolean>;

function factsFor(family: OsFamily | null, f: Flags, grace: number | null): DiagnosisFacts {
  return factsFixture({
    os: { family, version: family ? undefined : '5.2.3790' } as FactsOverrides['os'],
    singleSession: { value: f.singleSession ? 1 : 0, source: f.ssPolicy ? 'policy' : 'local' },
    rdsh: { installed: f.rdsh, terminalServerMode: f.rdsh ? 1 : 0, removalPending: f.removalPending },
    graceDays: f.rdsh ? grace : null,
    licensing: f.licensed
      ? { mode: 2, modeSource: f.licPolicy ? 'policy' : 'local', servers: ['ls1'], serversSource: f.licPolicy ? 'policy' : 'local', reachability: [{ server: 'ls1', status: 11 }] }
      : { mode: 5, modeSource: f.licPolicy ? 'policy' : 'local', servers: [], serversSource: f.licPolicy ? 'policy' : 'local', reachability: [] },
    domain: { role: f.dc ? 5 : f.partOfDomain ? 3 : 2, partOfDomain: f.partOfDomain || f.dc, isDomainController: f.dc },
    rds: { broker: f.rds, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false },
    pendingReboot: f.pendingReboot,
    termService: f.broken ? 'stopped' : 'running',
    sessions: ['alice 2 Active'],
  });
}

const REQUESTS: PlanRequest[] = [
  REMOVE,
  { ...REMOVE, allowReboot: true },
  CL_DEVICE,
  CL_USER,
  { ...CL_DEVICE, licenseServer: null },
  { ...CL_DEVICE, licensingMode: null },
];

function* allCases(): Generator<{ family: OsFamily | null; f: Flags; grace: number | null; req: PlanRequest; facts: DiagnosisFacts }> {
  const families: (OsFamily | null)[] = [...OS_FAMILIES, null];
  for (const family of families) {
    for (let bits = 0; bits < 1 << BOOLS.length; bits++) {
      const f = Object.fromEntries(BOOLS.map((k, i) => [k, (bits & (1 << i)) !== 0])) as Flags;
      for (const grace of [0, 45, null]) {
        const facts = factsFor(family, f, grace);
        for (const req of REQUESTS) yield { family, f, grace, req, facts };
      }
    }
  }
}

describe('planRemediation — invariants over all OS families and flag combinations', () => {
  // One pass collects violations per invariant; each `it` then asserts its list is empty, so a
  // failure names the invariant and shows the first offending cases.
  const violations: Record<string, string[]> = {};
  const seen: Record<string, number> = {};
  const fail = (inv: string, c: object) => {
    (violations[inv] ??= []).push(JSON.stringify(c));
  };
  let total = 0;

  beforeAll(() => {
    for (const c of allCases()) {
      total++;
      const key = { family: c.family, ...c.f, grace: c.grace, req: c.req };
      const p = planRemediation(c.facts, c.req);
      const pd = planRemediation(c.facts, { ...c.req, mode: 'diagnose' });
      seen[p.decision] = (seen[p.decision] ?? 0) + 1;
      const causes = detectCauses(c.facts);
      const acts = p.decision === 'act' ? p.actions : [];
      const has = (k: string) => acts.some((a) => a.kind === k);

      if (JSON.stringify(p) !== JSON.stringify(pd)) fail('diagnose and fix plan the same', key);
      if (acts.some((a) => !(PLAN_ACTION_KINDS as readonly string[]).includes(a.kind))) fail('only the three action kinds', key);
      if (has('remove-rdsh-role') && !(p.decision === 'act' && p.needsReboot)) fail('remove-rdsh-role implies needsReboot', key);
      if ((p.decision === 'refuse' || p.decision === 'unsupported' || p.decision === 'healthy') && 'actions' in p) fail('non-act plans carry no actions', key);
      if (c.family === null && p.decision !== 'unsupported') fail('unknown OS is unsupported', key);
      if (c.f.dc && p.decision === 'act') fail('never act on a domain controller', key);
      if (c.f.rds && causes.includes('licensing_lockout') && (has('remove-rdsh-role') || has('configure-licensing') || p.decision === 'act')) fail('RDS deployment blocks cause B', key);
      if (c.f.ssPolicy && c.f.singleSession && has('allow-multiple-sessions')) fail('policy-controlled single-session never changed', key);
      if (c.f.licPolicy && has('configure-licensing')) fail('policy-controlled licensing never configured', key);
      if (c.f.pendingReboot && !c.f.removalPending && has('remove-rdsh-role')) fail('no role removal with a pending reboot', key);
      if (has('configure-licensing') && (!c.req.licenseServer || !c.req.licensingMode)) fail('configure-licensing only with input', key);
      if (has('configure-licensing') && c.req.licensingMode === 'per-user' && !c.facts.domain.partOfDomain) fail('no per-user on workgroup', key);
      if (c.f.broken && p.decision !== 'unsupported' && p.decision !== 'refuse') fail('broken RDP outside scope is refused', key);
      if (p.decision === 'healthy' && causes.length > 0) fail('healthy means no cause', key);
      if (p.decision === 'act') {
        if (JSON.stringify(p.causes) !== JSON.stringify(causes)) fail('act causes = detected causes', key);
        if (p.actions.length === 0 && !p.needsReboot) fail('act does something', key);
        if (causes.includes('single_session') && !has('allow-multiple-sessions')) fail('cause A is addressed', key);
        if (causes.includes('licensing_lockout') && !(has('remove-rdsh-role') || has('configure-licensing') || (c.f.removalPending && p.needsReboot))) fail('cause B is addressed', key);
        if (p.needsReboot !== (causes.includes('licensing_lockout') && c.req.strategy === 'remove-role')) fail('reboot exactly for role removal', key);
        const idx = p.actions.findIndex((a) => a.kind === 'allow-multiple-sessions');
        if (idx > 0) fail('single-session first', key);
        if (p.needsReboot && !p.notes.some((n) => /user session/.test(n))) fail('sessions noted before a reboot', key);
      }
      if (p.decision === 'refuse') {
        if (!p.detail) fail('refusal has detail', key);
        if (JSON.stringify(p.causes) !== JSON.stringify(causes)) fail('refusal causes = detected causes', key);
      }
    }
  });

  const invariants = [
    'diagnose and fix plan the same',
    'only the three action kinds',
    'remove-rdsh-role implies needsReboot',
    'non-act plans carry no actions',
    'unknown OS is unsupported',
    'never act on a domain controller',
    'RDS deployment blocks cause B',
    'policy-controlled single-session never changed',
    'policy-controlled licensing never configured',
    'no role removal with a pending reboot',
    'configure-licensing only with input',
    'no per-user on workgroup',
    'broken RDP outside scope is refused',
    'healthy means no cause',
    'act causes = detected causes',
    'act does something',
    'cause A is addressed',
    'cause B is addressed',
    'reboot exactly for role removal',
    'single-session first',
    'sessions noted before a reboot',
    'refusal has detail',
    'refusal causes = detected causes',
  ];
  it.each(invariants)('%s', (inv) => {
    expect((violations[inv] ?? []).slice(0, 3)).toEqual([]);
  });

  it('the sweep covers every decision kind', () => {
    expect(total).toBe(9 * (1 << BOOLS.length) * 3 * REQUESTS.length);
    for (const d of ['healthy', 'refuse', 'unsupported', 'act']) expect(seen[d]).toBeGreaterThan(0);
    const unknown = Object.keys(violations).filter((k) => !invariants.includes(k));
    expect(unknown).toEqual([]);
  });
});
