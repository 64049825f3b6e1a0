import { LicensingModeCode } from '@rdpfix/domain';
import { ConfigureLicensingResult, RestoreLicensingResult } from '@rdpfix/runbook/contract';
import { SimInstance, readFails } from '../../model/instance';
import { ScriptExecution } from '../script-execution';

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

/**
 * F2 (configure-licensing: ChangeMode + SetSpecifiedLicenseServerList) and its rollback
 * (restore-licensing, which may restore "not configured" and an empty list). Both refuse when
 * Group Policy controls the mode or the server list: a local write would be reverted.
 * Modes 2/4 go through WMI ChangeMode and show at once. Modes 1/5 are written to the registry
 * (RCM\Licensing Core): WMI LicensingType and TermService keep the old mode until the next
 * restart, so restore-licensing reports restartNeeded (and the lockout state does not change yet).
 */
export function runLicensing(name: 'configure-licensing' | 'restore-licensing') {
  const allowedModes: LicensingModeCode[] = name === 'configure-licensing' ? [2, 4] : [1, 2, 4, 5];
  return (inst: SimInstance, params: Record<string, string>, version: number): ScriptExecution => {
    const before = { mode: inst.licensing.mode, servers: [...inst.licensing.servers] };
    const mode = Number(params.mode) as LicensingModeCode;
    const servers = (params.servers ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    let error: string | null = null;
    if (!/^\d$/.test(params.mode ?? '') || !allowedModes.includes(mode)) {
      error = `bad parameters: mode must be one of ${allowedModes.join(', ')}`;
    } else if (name === 'configure-licensing' && servers.length === 0) {
      error = 'bad parameters: servers is empty';
    } else if (servers.some((s) => !SERVER_NAME.test(s))) {
      error = 'bad parameters: servers contains an invalid name';
    } else if (readFails(inst, 'ts')) {
      error = `wmi: ${inst.readFailures.ts ?? 'Win32_TerminalServiceSetting unavailable'}`;
    } else if (inst.licensing.modeSource === 'policy' || inst.licensing.serversSource === 'policy') {
      error = 'refused: Group Policy controls RD licensing (mode or license servers); change the policy instead';
    } else if (name === 'configure-licensing' && !inst.rdsh.installed) {
      error = 'refused: not an RD Session Host (TerminalServerMode is not 1)';
    }
    const viaRegistry = mode === 1 || mode === 5;
    if (error !== null) {
      const failed = name === 'configure-licensing'
        ? ({ script: name, version, ok: false, error, before, after: before, changed: false } as ConfigureLicensingResult)
        : ({ script: name, version, ok: false, error, before, after: before, registryMode: null, restartNeeded: false, changed: false } as RestoreLicensingResult);
      return { result: failed, log: [`error: ${error}`] };
    }
    const registryBefore = inst.licensing.pendingMode ?? inst.licensing.mode;
    const changed = (viaRegistry ? registryBefore !== mode : before.mode !== mode) || before.servers.join(',') !== servers.join(',');
    // What WMI shows right after the call: ChangeMode at once, a registry write only after a restart.
    const wmiAfter: LicensingModeCode = viaRegistry ? inst.licensing.mode : mode;
    const after = { mode: wmiAfter, servers };
    const apply = (target: SimInstance) => {
      if (viaRegistry) target.licensing.pendingMode = target.licensing.mode === mode ? null : mode;
      else {
        target.licensing.mode = mode;
        target.licensing.pendingMode = null;
      }
      target.licensing.servers = [...servers];
    };
    const log = [`LicensingType before=${before.mode} after=${wmiAfter}${viaRegistry ? ` (registry ${mode})` : ''}`, `license servers: ${servers.join(',') || '(none)'}`];
    if (name === 'configure-licensing') {
      const result: ConfigureLicensingResult = { script: name, version, ok: true, before, after, changed };
      return { result, log, apply };
    }
    const result: RestoreLicensingResult = {
      script: name,
      version,
      ok: true,
      before,
      after,
      registryMode: mode,
      restartNeeded: viaRegistry && wmiAfter !== mode,
      changed,
    };
    return { result, log, apply };
  };
}
