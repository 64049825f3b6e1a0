import { LICENSING_MODE_CODE, PlanAction, RollbackAction } from '@rdpfix/domain';
import type { RecordedChange } from '@rdpfix/persistence';
import type { ConfigureLicensingResult, RemoveRoleResult, ScriptName, ScriptResult, SetSingleSessionResult } from '@rdpfix/runbook';

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
      return { script: 'remove-rdsh-role', params: {} };
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
    case 'configure-licensing':
    case 'restore-licensing': {
      const r = result as ConfigureLicensingResult;
      return [
        { ...base, setting: 'LicensingMode', before: r.before.mode, after: r.after.mode, reversible: true },
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
