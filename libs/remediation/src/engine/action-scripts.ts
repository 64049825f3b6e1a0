import { DiagnosisFacts, LICENSING_MODE_CODE, PlanAction, RollbackAction } from '@rdpfix/domain';
import type { RecordedChange } from '@rdpfix/persistence';
import type { ConfigureLicensingResult, RemoveRoleResult, RestoreLicensingResult, ScriptName, ScriptResult, SetSingleSessionResult } from '@rdpfix/runbook';

/** The runbook script and parameters that carry out one plan action. */
export function scriptForAction(action: PlanAction | RollbackAction): { script: ScriptName; params: Record<string, string | number> } {
  switch (action.kind) {
    case 'restore-single-session':
      return { script: 'set-single-session', params: { value: action.value } };
    case 'restore-licensing':
      return { script: 'restore-licensing', params: { mode: action.mode, servers: action.servers.join(',') } };
    case 'allow-multiple-sessions':
      return { script: 'set-single-session', params: { value: 0 } };
    case 'configure-licensing':
      return { script: 'configure-licensing', params: { mode: LICENSING_MODE_CODE[action.licensingMode], servers: action.licenseServer } };
    case 'remove-rdsh-role':
      // The script refuses a server with configured licensing unless the caller explicitly asked.
      return { script: 'remove-rdsh-role', params: { despiteLicensing: action.despiteLicensing ? 1 : 0 } };
  }
}

/** Rollback data from a fix script's result: what the value was, what it is now. */
export function changesFromResult(action: PlanAction | RollbackAction, result: ScriptResult, commandRunId: string, at: Date): RecordedChange[] {
  const base = { action: action.kind, commandRunId, at: at.toISOString() };
  switch (result.script) {
    case 'set-single-session': {
      const r = result as SetSingleSessionResult;
      return [{ ...base, setting: 'fSingleSessionPerUser', before: r.before, after: r.after, reversible: true }];
    }
    case 'configure-licensing': {
      const r = result as ConfigureLicensingResult;
      return [
        { ...base, setting: 'LicensingMode', before: r.before.mode, after: r.after.mode, reversible: true },
        { ...base, setting: 'SpecifiedLicenseServers', before: r.before.servers, after: r.after.servers, reversible: true },
      ];
    }
    case 'restore-licensing': {
      // after.mode is WMI LicensingType; a mode written to the registry may show only after a restart.
      const r = result as RestoreLicensingResult;
      const pending = r.restartNeeded === true ? { restartNeeded: true } : {};
      return [
        { ...base, setting: 'LicensingMode', before: r.before.mode, after: r.restartNeeded ? r.registryMode : r.after.mode, reversible: true, ...pending },
        { ...base, setting: 'SpecifiedLicenseServers', before: r.before.servers, after: r.after.servers, reversible: true },
      ];
    }
    case 'remove-rdsh-role': {
      const r = result as RemoveRoleResult;
      // Reinstalling the role would bring the licensing lockout straight back: not a rollback.
      return [
        { ...base, setting: 'RDS-RD-Server role', before: { installed: r.before.installed }, after: { installed: false, restartNeeded: r.restartNeeded, exitCode: r.exitCode }, reversible: false },
      ];
    }
    default:
      return [];
  }
}

/**
 * The change recorded when remove-rdsh-role outlived its time limit and a read-only check then
 * found the feature removed or waiting for its restart (Windows servicing finished the job).
 */
export function removalAfterTimeoutChange(facts: DiagnosisFacts, commandRunId: string, at: Date): RecordedChange {
  return {
    action: 'remove-rdsh-role',
    commandRunId,
    at: at.toISOString(),
    setting: 'RDS-RD-Server role',
    before: { installed: true },
    after: { installed: facts.rdsh.installed, removalPending: facts.rdsh.removalPending, restartNeeded: true, exitCode: 'TimedOut' },
    reversible: false,
  };
}
