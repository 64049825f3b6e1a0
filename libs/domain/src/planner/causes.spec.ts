import { activeRemoteSessions, assessLicensing, assessSingleSession, bareAccount, detectCauses, isRdsh, outOfScopeProblems } from './causes';
import { ADMIN_ACTIVE, LICENSED_RDSH, LOCKED_OUT, SINGLE_SESSION, combine, factsFixture, unknownOf } from './testing/facts-fixture';

describe('detectCauses', () => {
  it('finds nothing on a healthy server (single-session on is the Windows default, not a cause)', () => {
    expect(detectCauses(factsFixture())).toEqual([]);
  });

  it('A only when the setting blocks a logon: an active session, or the reported symptom', () => {
    expect(detectCauses(factsFixture(SINGLE_SESSION))).toEqual(['single_session']);
    expect(detectCauses(factsFixture({ singleSession: { value: 1, source: 'policy' }, sessions: [ADMIN_ACTIVE] }))).toEqual(['single_session']);
    expect(detectCauses(factsFixture({ sessions: ['administrator 2 Disc . 1/1/2025 10:00 AM'] }))).toEqual([]);
    expect(detectCauses(factsFixture(), { symptom: 'another-user-logged-on' })).toEqual(['single_session']);
    expect(detectCauses(factsFixture({ singleSession: { value: 0, source: 'local' } }), { symptom: 'another-user-logged-on' })).toEqual([]);
  });

  it('B and A together, A first', () => {
    expect(detectCauses(factsFixture(combine(LOCKED_OUT, SINGLE_SESSION)))).toEqual(['single_session', 'licensing_lockout']);
  });

  it('no B within grace, or with usable licensing, or without RDSH', () => {
    expect(detectCauses(factsFixture(combine(LOCKED_OUT, { graceDays: 1 })))).toEqual([]);
    expect(detectCauses(factsFixture(LICENSED_RDSH))).toEqual([]);
    expect(detectCauses(factsFixture({ graceDays: 0 }))).toEqual([]);
  });

  it('B when a role removal is pending even though the feature reads as removed', () => {
    expect(detectCauses(factsFixture(combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 0, removalPending: true } })))).toEqual(['licensing_lockout']);
  });

  it('unknown facts never make a cause', () => {
    expect(detectCauses(factsFixture(combine(LOCKED_OUT, { graceDays: null }, unknownOf('grace'))))).toEqual([]);
    expect(detectCauses(factsFixture(combine(SINGLE_SESSION, { singleSession: { value: null } })))).toEqual([]);
    expect(detectCauses(factsFixture({ sessions: null }))).toEqual([]);
    expect(detectCauses(factsFixture(combine(LOCKED_OUT, { rdsh: { installed: null, terminalServerMode: null, removalPending: null } })))).toEqual([]);
  });
});

describe('isRdsh', () => {
  it('is true on any positive sign, false only when known absent, else unknown', () => {
    expect(isRdsh(factsFixture({ rdsh: { installed: null, terminalServerMode: 1, removalPending: null } }))).toBe(true);
    expect(isRdsh(factsFixture({ rdsh: { installed: false, terminalServerMode: null, removalPending: false } }))).toBe(false);
    expect(isRdsh(factsFixture({ rdsh: { installed: null, terminalServerMode: 0, removalPending: false } }))).toBe(false);
    expect(isRdsh(factsFixture({ rdsh: { installed: false, terminalServerMode: 0, removalPending: null } }))).toBeNull();
    expect(isRdsh(factsFixture({ rdsh: { installed: null, terminalServerMode: null, removalPending: false } }))).toBeNull();
  });
});

describe('assessLicensing', () => {
  it('lists every proven licensing problem', () => {
    const a = assessLicensing(factsFixture(combine(LOCKED_OUT, { licensing: { mode: 4, servers: ['ls1'], statuses: [6] } })));
    expect(a.problems).toEqual(['no_reachable_license_server', 'per_user_on_workgroup']);
    expect(a).toMatchObject({ configured: true, anyValid: false, usable: false, lockout: true });
    const b = assessLicensing(factsFixture(LOCKED_OUT));
    expect(b.problems).toEqual(['mode_not_configured', 'no_license_servers']);
    expect(b.configured).toBe(false);
  });

  it('ignores blank server names', () => {
    expect(assessLicensing(factsFixture(combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['', ' '] } }))).problems).toEqual(['no_license_servers']);
  });

  it('grace: days left, over, unknown (never assumed over)', () => {
    expect(assessLicensing(factsFixture(combine(LOCKED_OUT, { graceDays: 12 })))).toMatchObject({ graceOver: false, graceDaysLeft: 12, lockout: false });
    expect(assessLicensing(factsFixture(LOCKED_OUT))).toMatchObject({ graceOver: true, graceDaysLeft: null, lockout: true });
    const unknown = assessLicensing(factsFixture(combine(LOCKED_OUT, { graceDays: null }, unknownOf('grace'))));
    expect(unknown).toMatchObject({ graceOver: null, lockout: null });
    expect(unknown.missing.join(' ')).toMatch(/grace period \(GetGracePeriodDays\): grace: Access denied/);
    expect(assessLicensing(factsFixture())).toMatchObject({ rdsh: false, graceOver: false, lockout: false });
  });

  it('statuses: -1 is unknown; 6 and 8 are known and not valid; one valid server is enough', () => {
    const st = (statuses: number[]) => assessLicensing(factsFixture(combine(LOCKED_OUT, { licensing: { mode: 2, servers: statuses.map((_, i) => `ls${i}`), statuses } })));
    expect(st([-1])).toMatchObject({ anyValid: null, lockout: null });
    expect(st([6, -1])).toMatchObject({ anyValid: null, lockout: null });
    expect(st([8])).toMatchObject({ anyValid: false, lockout: true, configured: true });
    expect(st([6, 11])).toMatchObject({ anyValid: true, lockout: false });
  });

  it('Per User with an unknown domain membership is unknown, not a workgroup problem', () => {
    const a = assessLicensing(factsFixture(combine(LICENSED_RDSH, { domain: { partOfDomain: null } }, unknownOf('domain'))));
    expect(a.problems).toEqual([]);
    expect(a).toMatchObject({ usable: null, lockout: null });
  });

  it('2008 without status data: unverifiable and trusted; 2008 R2: unknown, not a problem', () => {
    const lic = { mode: 2 as const, servers: ['ls1'], statuses: [] };
    const a = assessLicensing(factsFixture(combine(LOCKED_OUT, { os: { family: '2008' }, licensing: lic })));
    expect(a).toMatchObject({ reachabilityUnverifiable: true, problems: [], lockout: false });
    const b = assessLicensing(factsFixture(combine(LOCKED_OUT, { os: { family: '2008R2' }, licensing: lic })));
    expect(b).toMatchObject({ reachabilityUnverifiable: false, problems: [], lockout: null });
  });
});

describe('assessSingleSession', () => {
  it('reads the quser state, localized words included, and names the accounts', () => {
    const a = assessSingleSession(factsFixture({ sessions: ['张三 rdp-tcp#1 3 活动 . 2025/1/1 10:00', 'bob 4 Disc 1:00 x'] }));
    expect(a).toMatchObject({ status: 'present', activeAccounts: ['张三'] });
  });
  it('more sessions than listed and none active: undetermined', () => {
    expect(assessSingleSession(factsFixture({ sessions: ['bob 4 Disc 1:00 x'], sessionsTruncated: true })).status).toBe('undetermined');
  });
});

describe('bareAccount', () => {
  it.each([
    ['CORP\\Bob', 'bob'],
    ['bob@corp.example', 'bob'],
    [' Administrator ', 'administrator'],
    ['张三', '张三'],
  ])('%s -> %s', (input, out) => expect(bareAccount(input)).toBe(out));
});

describe('outOfScopeProblems', () => {
  it('reports known deny, stopped service, listener and firewall; unknown values are not problems', () => {
    expect(outOfScopeProblems(factsFixture())).toEqual([]);
    expect(outOfScopeProblems(factsFixture({ termService: 'unknown', listener: { up: null, port: 3389 }, denyConnections: { value: null, source: null }, firewall: { enabled: true, rdpAllowed: null } }))).toEqual([]);
    expect(
      outOfScopeProblems(
        factsFixture({ denyConnections: { value: 1, source: 'local' }, termService: 'stopped', listener: { up: false, port: 3389 }, firewall: { enabled: true, rdpAllowed: false } }),
      ),
    ).toEqual(['rdp_denied', 'termservice_stopped', 'listener_down', 'firewall_blocked']);
  });
});

describe('activeRemoteSessions', () => {
  it('counts active non-console sessions; null when unknown', () => {
    expect(activeRemoteSessions(factsFixture({ sessions: [ADMIN_ACTIVE, 'bob rdp-tcp#2 3 Active . x', 'carol console 1 Active . x', 'dan 4 Disc . x'] }))).toBe(2);
    expect(activeRemoteSessions(factsFixture({ sessions: null }))).toBeNull();
  });
});

describe('factsFixture', () => {
  it('keeps version and PowerShell consistent with an overridden family', () => {
    expect(factsFixture({ os: { family: '2008R2' } }).os).toMatchObject({ version: '6.1.7601', ps: '2.0' });
    expect(factsFixture({ os: { family: '2012' } }).os).toMatchObject({ version: '6.2.9200', ps: '3.0' });
  });
  it('returns fresh objects', () => {
    const a = factsFixture();
    a.sessions!.push('x');
    a.rdsh.installed = true;
    expect(factsFixture().sessions).toEqual([]);
    expect(factsFixture().rdsh.installed).toBe(false);
  });
});
