import { RemoveRoleResult } from '@rdpfix/runbook/contract';
import { SimInstance, isDomainController, isRdsDeployment } from '../../model/instance';
import { roleRemovalMethod } from '../../model/os-catalog';
import { ScriptExecution } from '../script-execution';

/**
 * F3: uninstall the RD Session Host role without -Restart. The removal takes effect at the
 * next restart (restart-computer or any reboot). Refuses on a DC and in an RDS deployment.
 */
export function runRemoveRdshRole(inst: SimInstance, _params: Record<string, string>, version: number): ScriptExecution {
  const method = roleRemovalMethod(inst.os);
  const base = { script: 'remove-rdsh-role' as const, version, before: { installed: inst.rdsh.installed }, method };
  const refuse = (error: string): ScriptExecution => {
    const result: RemoveRoleResult = { ...base, ok: false, error, exitCode: 'Failed', restartNeeded: false };
    return { result, log: [`error: ${error}`] };
  };
  if (isDomainController(inst)) return refuse('this server is a domain controller; role not removed');
  if (isRdsDeployment(inst)) return refuse('this server is part of an RDS deployment; role not removed');
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
