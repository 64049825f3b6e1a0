import { assessLicensing, detectCauses, outOfScopeProblems } from './causes';
import { LICENSED_RDSH, LOCKED_OUT, SINGLE_SESSION, combine, factsFixture } from './testing/facts-fixture';

describe('detectCauses', () => {
  it('finds nothing on a healthy server', () => {
    expect(detectCauses(factsFixture())).toEqual([]);
  });

  it('A regardless of the setting source (the source only gates the fix)', () => {
    expect(detectCauses(factsFixture(SINGLE_SESSION))).toEqual(['single_session']);
    expect(detectCauses(factsFixture({ singleSession: { value: 1, source: 'policy' } }))).toEqual(['single_session']);
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
});

describe('assessLicensing', () => {
  it('lists every licensing problem', () => {
    const a = assessLicensing(factsFixture(combine(LOCKED_OUT, { licensing: { mode: 4, servers: ['ls1'], reachability: [{ server: 'ls1', status: 6 }] } })));
    expect(a.problems).toEqual(['no_reachable_license_server', 'per_user_on_workgroup']);
    const b = assessLicensing(factsFixture(LOCKED_OUT));
    expect(b.problems).toEqual(['mode_not_configured', 'no_license_servers']);
  });

  it('ignores blank server names', () => {
    expect(assessLicensing(factsFixture(combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['', ' '] } }))).problems).toEqual(['no_license_servers']);
  });

  it('grace: days left, over, unknown', () => {
    expect(assessLicensing(factsFixture(combine(LOCKED_OUT, { graceDays: 12 })))).toMatchObject({ graceOver: false, graceDaysLeft: 12, graceUnknown: false });
    expect(assessLicensing(factsFixture(LOCKED_OUT))).toMatchObject({ graceOver: true, graceDaysLeft: null, graceUnknown: false });
    expect(assessLicensing(factsFixture(combine(LOCKED_OUT, { graceDays: null })))).toMatchObject({ graceOver: true, graceUnknown: true });
    expect(assessLicensing(factsFixture())).toMatchObject({ rdsh: false, graceOver: false, graceUnknown: false });
  });

  it('2008 without status data: unverifiable, not a problem; 2008 R2: a problem', () => {
    const lic = { mode: 2 as const, servers: ['ls1'], reachability: [] };
    const a = assessLicensing(factsFixture(combine(LOCKED_OUT, { os: { family: '2008' }, licensing: lic })));
    expect(a).toMatchObject({ reachabilityUnverifiable: true, problems: [] });
    const b = assessLicensing(factsFixture(combine(LOCKED_OUT, { os: { family: '2008R2' }, licensing: lic })));
    expect(b).toMatchObject({ reachabilityUnverifiable: false, problems: ['no_reachable_license_server'] });
  });
});

describe('outOfScopeProblems', () => {
  it('reports deny, stopped service and listener; unknown service is not a problem', () => {
    expect(outOfScopeProblems(factsFixture())).toEqual([]);
    expect(outOfScopeProblems(factsFixture({ termService: 'unknown' }))).toEqual([]);
    expect(
      outOfScopeProblems(factsFixture({ denyConnections: { value: 1, source: 'local' }, termService: 'stopped', listener: { up: false, port: 3389 } })),
    ).toEqual(['rdp_denied', 'termservice_stopped', 'listener_down']);
  });
});

describe('factsFixture', () => {
  it('keeps version and PowerShell consistent with an overridden family', () => {
    expect(factsFixture({ os: { family: '2008R2' } }).os).toMatchObject({ version: '6.1.7601', ps: '2.0' });
    expect(factsFixture({ os: { family: '2012' } }).os).toMatchObject({ version: '6.2.9200', ps: '3.0' });
  });
  it('returns fresh objects', () => {
    const a = factsFixture();
    a.sessions.push('x');
    a.rdsh.installed = true;
    expect(factsFixture().sessions).toEqual([]);
    expect(factsFixture().rdsh.installed).toBe(false);
  });
});
