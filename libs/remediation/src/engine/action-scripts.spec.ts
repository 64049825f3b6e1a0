import { factsFixture } from '@rdpfix/domain/planner/testing/facts-fixture';
import { changesFromResult, removalAfterTimeoutChange, scriptForAction } from './action-scripts';

describe('scriptForAction', () => {
  it('maps every plan and rollback action to its runbook script and parameters', () => {
    expect(scriptForAction({ kind: 'allow-multiple-sessions' })).toEqual({ script: 'set-single-session', params: { value: 0 } });
    expect(scriptForAction({ kind: 'remove-rdsh-role' })).toEqual({ script: 'remove-rdsh-role', params: { despiteLicensing: 0 } });
    // Only an explicit request waives the script's own configured-licensing refusal.
    expect(scriptForAction({ kind: 'remove-rdsh-role', despiteLicensing: true })).toEqual({ script: 'remove-rdsh-role', params: { despiteLicensing: 1 } });
    expect(scriptForAction({ kind: 'configure-licensing', licensingMode: 'per-device', licenseServer: 'ls01' })).toEqual({ script: 'configure-licensing', params: { mode: 2, servers: 'ls01' } });
    expect(scriptForAction({ kind: 'restore-single-session', value: 1 })).toEqual({ script: 'set-single-session', params: { value: 1 } });
    expect(scriptForAction({ kind: 'restore-licensing', mode: 5, servers: [] })).toEqual({ script: 'restore-licensing', params: { mode: 5, servers: '' } });
  });
});

describe('changesFromResult', () => {
  const at = new Date('2026-11-25T08:00:00Z');
  it('records before and after of a reversible change', () => {
    const c = changesFromResult(
      { kind: 'allow-multiple-sessions' },
      { script: 'set-single-session', version: 1, ok: true, before: { present: true, value: 1 }, after: { present: true, value: 0 }, changed: true },
      'run-1',
      at,
    );
    expect(c).toEqual([{ action: 'allow-multiple-sessions', setting: 'fSingleSessionPerUser', before: { present: true, value: 1 }, after: { present: true, value: 0 }, reversible: true, commandRunId: 'run-1', at: at.toISOString() }]);
  });
  it('marks the role removal as not reversible', () => {
    const c = changesFromResult(
      { kind: 'remove-rdsh-role' },
      { script: 'remove-rdsh-role', version: 1, ok: true, before: { installed: true }, exitCode: 'SuccessRestartRequired', restartNeeded: true, method: 'uninstall-windowsfeature' },
      'run-2',
      at,
    );
    expect(c).toHaveLength(1);
    expect(c[0]).toEqual(expect.objectContaining({ setting: 'RDS-RD-Server role', reversible: false }));
  });
});

describe('restore-licensing changes', () => {
  const at = new Date('2026-11-25T08:00:00Z');
  it('records the mode written and that a restart is needed for WMI to show it', () => {
    const c = changesFromResult(
      { kind: 'restore-licensing', mode: 5, servers: [] },
      { script: 'restore-licensing', version: 2, ok: true, before: { mode: 4, servers: ['ls1'] }, after: { mode: 4, servers: [] }, registryMode: 5, restartNeeded: true, changed: true },
      'run-3',
      at,
    );
    expect(c[0]).toEqual(expect.objectContaining({ setting: 'LicensingMode', before: 4, after: 5, restartNeeded: true }));
    expect(c[1]).toEqual(expect.objectContaining({ setting: 'SpecifiedLicenseServers', before: ['ls1'], after: [] }));
    expect(c[1]).not.toHaveProperty('restartNeeded');
  });
});

describe('removalAfterTimeoutChange', () => {
  it('records an irreversible removal that timed out and waits for its restart', () => {
    const f = factsFixture({ rdsh: { installed: true, terminalServerMode: 1, removalPending: true } });
    expect(removalAfterTimeoutChange(f, 'run-4', new Date(0))).toEqual(
      expect.objectContaining({ setting: 'RDS-RD-Server role', reversible: false, after: expect.objectContaining({ removalPending: true, exitCode: 'TimedOut', restartNeeded: true }) }),
    );
  });
});
