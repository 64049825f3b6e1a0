import { LicensingModeCode } from '@rdpfix/domain';
import { ConfigureLicensingResult } from '@rdpfix/runbook/contract';
import { SimInstance } from '../../model/instance';
import { ScriptExecution } from '../script-execution';

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

/**
 * F2 (configure-licensing: ChangeMode + SetSpecifiedLicenseServerList) and its rollback
 * (restore-licensing, which may restore "not configured" and an empty list). Both refuse when
 * Group Policy controls the mode or the server list: a local write would be reverted.
 */
export function runLicensing(name: 'configure-licensing' | 'restore-licensing') {
  const allowedModes: LicensingModeCode[] = name === 'configure-licensing' ? [2, 4] : [1, 2, 4, 5];
  return (inst: SimInstance, params: Record<string, string>, version: number): ScriptExecution => {
    const before = { mode: inst.licensing.mode, servers: [...inst.licensing.servers] };
    const base = { script: name, version, before, after: before, changed: false };
    const mode = Number(params.mode) as LicensingModeCode;
    const servers = (params.servers ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    let error: string | null = null;
    if (!/^\d$/.test(params.mode ?? '') || !allowedModes.includes(mode)) {
      error = `parameter mode must be one of ${allowedModes.join(', ')}`;
    } else if (name === 'configure-licensing' && servers.length === 0) {
      error = 'parameter servers must name at least one license server';
    } else if (servers.some((s) => !SERVER_NAME.test(s))) {
      error = 'parameter servers contains an invalid server name';
    } else if (inst.licensing.modeSource === 'policy' || inst.licensing.serversSource === 'policy') {
      error = 'RD licensing is enforced by Group Policy; not changed';
    }
    if (error !== null) {
      const result: ConfigureLicensingResult = { ...base, ok: false, error };
      return { result, log: [`error: ${error}`] };
    }
    const after = { mode, servers };
    const changed = before.mode !== mode || before.servers.join(',') !== servers.join(',');
    const result: ConfigureLicensingResult = { ...base, ok: true, after, changed };
    return {
      result,
      log: [`LicensingType before=${before.mode} after=${mode}`, `license servers: ${servers.join(',') || '(none)'}`],
      apply: (target) => {
        target.licensing.mode = mode;
        target.licensing.servers = [...servers];
      },
    };
  };
}
