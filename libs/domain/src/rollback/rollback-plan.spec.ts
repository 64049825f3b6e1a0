import { factsFixture } from '../planner/testing/facts-fixture';
import { buildRollbackPlan, RecordedChangeLike, verifyRollback } from './rollback-plan';

const single: RecordedChangeLike = { action: 'allow-multiple-sessions', setting: 'fSingleSessionPerUser', before: { present: true, value: 1 }, after: { present: true, value: 0 }, reversible: true };
const mode: RecordedChangeLike = { action: 'configure-licensing', setting: 'LicensingMode', before: 5, after: 4, reversible: true };
const servers: RecordedChangeLike = { action: 'configure-licensing', setting: 'SpecifiedLicenseServers', before: [], after: ['ls01.corp.example.com'], reversible: true };
const role: RecordedChangeLike = { action: 'remove-rdsh-role', setting: 'RDS-RD-Server role', before: { installed: true }, after: { installed: false }, reversible: false };

const fixedSingle = factsFixture({ singleSession: { value: 0, source: 'local' } });
const fixedLicensing = factsFixture({ licensing: { mode: 4, modeSource: 'local', servers: ['LS01.corp.example.com'], serversSource: 'local', statuses: [] } });

describe('buildRollbackPlan', () => {
  it('puts back the single-session value recorded before the fix', () => {
    expect(buildRollbackPlan([single], fixedSingle)).toEqual({ decision: 'rollback', actions: [{ kind: 'restore-single-session', value: 1 }], notes: [] });
  });

  it('puts back licensing mode and servers (server names compared case-insensitively)', () => {
    const plan = buildRollbackPlan([mode, servers], fixedLicensing);
    expect(plan).toEqual({ decision: 'rollback', actions: [{ kind: 'restore-licensing', mode: 5, servers: [] }], notes: [] });
  });

  it('refuses when the only change was the irreversible role removal, and says why', () => {
    const plan = buildRollbackPlan([role], factsFixture());
    expect(plan.decision).toBe('refuse');
    expect(plan).toEqual(expect.objectContaining({ reason: 'not_reversible' }));
    expect((plan as { detail: string }).detail).toMatch(/grace period/);
  });

  it('rolls back what it can and notes the role removal it cannot', () => {
    const plan = buildRollbackPlan([single, role], fixedSingle);
    expect(plan.decision).toBe('rollback');
    expect(plan.notes.join(' ')).toMatch(/not rolled back/);
  });

  it('refuses on drift: a value no longer holds what rdpfix set', () => {
    const plan = buildRollbackPlan([single], factsFixture({ singleSession: { value: 1, source: 'local' } }));
    expect(plan).toEqual(expect.objectContaining({ decision: 'refuse', reason: 'drift' }));
    const lic = buildRollbackPlan([mode, servers], factsFixture({ licensing: { mode: 2, modeSource: 'local', servers: ['other'], serversSource: 'local', statuses: [] } }));
    expect(lic).toEqual(expect.objectContaining({ decision: 'refuse', reason: 'drift' }));
  });

  it('refuses when nothing changed', () => {
    expect(buildRollbackPlan([], factsFixture())).toEqual(expect.objectContaining({ decision: 'refuse', reason: 'nothing_to_roll_back' }));
  });

  it('refuses when the current value cannot be read (drift cannot be ruled out)', () => {
    const a = buildRollbackPlan([single], factsFixture({ singleSession: { value: null, source: null } }));
    expect(a).toEqual(expect.objectContaining({ decision: 'refuse', reason: 'facts_incomplete' }));
    const b = buildRollbackPlan([mode, servers], factsFixture({ licensing: { mode: 4, modeSource: 'local', servers: null, serversSource: 'local', statuses: [] } }));
    expect(b).toEqual(expect.objectContaining({ decision: 'refuse', reason: 'facts_incomplete' }));
  });

  it('does not invent a value for a setting that was absent before', () => {
    const absent = { ...single, before: { present: false, value: null } };
    const plan = buildRollbackPlan([absent], fixedSingle);
    expect(plan).toEqual(expect.objectContaining({ decision: 'refuse', reason: 'nothing_to_roll_back' }));
  });
});

describe('verifyRollback', () => {
  it('passes when every restored value reads back, fails naming the one that does not', () => {
    const plan = { decision: 'rollback' as const, actions: [{ kind: 'restore-single-session' as const, value: 1 as const }], notes: [] };
    expect(verifyRollback(plan, factsFixture({ singleSession: { value: 1, source: 'local' } })).passed).toBe(true);
    const bad = verifyRollback(plan, factsFixture({ singleSession: { value: 0, source: 'local' } }));
    expect(bad.passed).toBe(false);
    expect(bad.checks[0]).toEqual(expect.objectContaining({ name: 'single_session_restored', passed: false }));
  });

  const licensingPlan = { decision: 'rollback' as const, actions: [{ kind: 'restore-licensing' as const, mode: 5 as const, servers: [] as string[] }], notes: [] };

  it('judges the licensing mode by WMI LicensingType, never by the registry value written', () => {
    // WMI still shows 4: without a restart note that is a plain failure.
    const stale = factsFixture({ licensing: { mode: 4, modeSource: 'local', servers: [], serversSource: 'local', statuses: [] } });
    const r = verifyRollback(licensingPlan, stale);
    expect(r.passed).toBe(false);
    expect(r.checks[0]).toEqual(expect.objectContaining({ name: 'licensing_restored', passed: false }));
    expect(r.checks[0].pendingRestart).toBeUndefined();
    // With the script's restartNeeded (mode written, WMI not yet): still not passed, but flagged.
    const pending = verifyRollback(licensingPlan, stale, { restartNeeded: true });
    expect(pending.passed).toBe(false);
    expect(pending.checks[0]).toEqual(expect.objectContaining({ pendingRestart: true, detail: expect.stringMatching(/takes effect after TermService or the server restarts/) }));
    // WMI shows the restored mode: passed.
    expect(verifyRollback(licensingPlan, factsFixture({ licensing: { mode: 5, modeSource: 'local', servers: [], serversSource: 'local', statuses: [] } })).passed).toBe(true);
  });

  it('a server list that differs is a failure even with restartNeeded', () => {
    const r = verifyRollback(licensingPlan, factsFixture({ licensing: { mode: 4, modeSource: 'local', servers: ['x'], serversSource: 'local', statuses: [] } }), { restartNeeded: true });
    expect(r.checks[0].pendingRestart).toBeUndefined();
  });
});
