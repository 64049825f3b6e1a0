import { SCRIPT_NAMES, ScriptName } from './contract';

/**
 * The shortest execution time limit (SSM `executionTimeout`) each script gets, in seconds; the
 * configured default (COMMAND_TIMEOUT_S) applies when it is longer. `Uninstall-WindowsFeature`
 * takes 3 to 10 minutes on small 2008 R2 / 2012 R2 instances (issue 7), and a channel that kills
 * PowerShell mid-removal leaves Windows servicing running with nobody told: the removal gets
 * half an hour. docs/runbook.md lists the table.
 */
export const SCRIPT_MIN_EXECUTION_TIMEOUT_S: Readonly<Record<ScriptName, number>> = {
  diagnose: 0,
  verify: 0,
  'set-single-session': 0,
  'configure-licensing': 0,
  'restore-licensing': 0,
  'remove-rdsh-role': 1800,
  'restart-computer': 0,
};

/** SSM accepts executionTimeout up to 172,800 s (48 h). */
export const MAX_EXECUTION_TIMEOUT_S = 172_800;

/**
 * The execution time limit to send with `scriptName`: the larger of the configured default and
 * the script's minimum, never above what the channel accepts. An unknown name gets the default.
 */
export function scriptExecutionTimeoutS(scriptName: ScriptName | string, defaultS: number): number {
  const min = (SCRIPT_NAMES as readonly string[]).includes(scriptName) ? SCRIPT_MIN_EXECUTION_TIMEOUT_S[scriptName as ScriptName] : 0;
  return Math.min(MAX_EXECUTION_TIMEOUT_S, Math.max(defaultS, min));
}
