import { RemoveRoleResult } from '@rdpfix/runbook/contract';
import { SimInstance, isDomainController, isLicensingConfigured, isRdsDeployment, readFails } from '../../model/instance';
import { roleRemovalMethod } from '../../model/os-catalog';
import { ScriptExecution } from '../script-execution';

/**
 * F3: uninstall the RD Session Host role without -Restart. The removal takes effect at the
 * next restart (restart-computer or any reboot). Like remove-rdsh-role.ps1 v2 it refuses on a DC
 * (or when that cannot be told), in an RDS deployment (an unactivated RD Licensing role is not
 * one), when the roles cannot be read, and where licensing is configured unless despiteLicensing=1.
 */
export function runRemoveRdshRole(inst: SimInstance, params: Record<string, string>, version: number): ScriptExecution {
  const method = roleRemovalMethod(inst.os);
  const base = { script: 'remove-rdsh-role' as const, version, before: { installed: inst.rdsh.installed }, method };
  const refuse = (error: string): ScriptExecution => {
    const result: RemoveRoleResult = { ...base, ok: false, error, exitCode: 'Failed', restartNeeded: false };
    return { result, log: [`error: ${error}`] };
  };
  // Version 1 had no parameter and refused any installed RD Licensing role; it is modelled as it was.
  const v1 = version < 2;
  if (!v1 && params.despiteLicensing !== '0' && params.despiteLicensing !== '1') return refuse('bad parameters: despiteLicensing is missing');
  if (v1 && inst.rds.licensingRole) return refuse('refused: RDS deployment present (RDS-Licensing)');
  if (readFails(inst, 'domain') && readFails(inst, 'dc')) return refuse('refused: cannot tell whether this is a domain controller');
  if (isDomainController(inst)) return refuse('refused: this server is a domain controller');
  if (readFails(inst, 'features') || readFails(inst, 'sd')) return refuse('refused: cannot read the installed roles: access denied');
  if (inst.rds.licensingRole && readFails(inst, 'ls')) return refuse('refused: cannot read the local RD license server: Invalid class');
  if (isRdsDeployment(inst)) return refuse('refused: RDS deployment present');
  if (!v1 && params.despiteLicensing !== '1') {
    if (readFails(inst, 'ts') || readFails(inst, 'mode')) return refuse('refused: cannot tell whether RD licensing is configured');
    if (isLicensingConfigured(inst)) return refuse('refused: RD licensing is configured (licensing mode and a license server); not removed without an explicit request');
  }
  if (!inst.rdsh.installed) {
    const result: RemoveRoleResult = { ...base, ok: true, exitCode: 'NoChangeNeeded', restartNeeded: false };
    return { result, log: ['RDS-RD-Server is not installed'] };
  }
  if (inst.rdsh.removalPending) {
    const result: RemoveRoleResult = { ...base, ok: true, exitCode: 'NoChangeNeeded', restartNeeded: true };
    return { result, log: ['RDS-RD-Server removal is already pending a restart'] };
  }
  const result: RemoveRoleResult = { ...base, ok: true, exitCode: 'SuccessRestartRequired', restartNeeded: true };
  const feature = inst.os === '2008' ? 'TS-Terminal-Server' : 'RDS-RD-Server';
  return {
    result,
    log: [`${method} ${feature}`, 'Success Restart Needed Exit Code      Feature Result', 'True    Yes            SuccessRest... {Remote Desktop Session Host}'],
    apply: (target) => {
      target.rdsh.removalPending = true;
    },
  };
}

/**
 * Windows servicing outlives PowerShell: when the channel kills remove-rdsh-role at its
 * execution timeout, the removal it started still completes (issue 7). The lifecycle applies the
 * script's effect at the modelled end of servicing instead of dropping it.
 */
export function continuesAfterKill(scriptName: string | null): boolean {
  return scriptName === 'remove-rdsh-role';
}

/** The modelled run time of a script on this server, in ms (null = the simulator's default). */
export function modelledRunMs(inst: SimInstance | undefined, scriptName: string | null, timeoutScale: number): number | null {
  if (!inst || scriptName !== 'remove-rdsh-role' || !inst.rdsh.installed || inst.rdsh.removalPending) return null;
  const s = inst.servicing?.roleRemovalSeconds;
  return s === null || s === undefined ? null : s * 1000 * timeoutScale;
}
