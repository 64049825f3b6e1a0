import { DiagnosisFacts, LicensingModeCode } from '@rdpfix/domain';
import { ScriptName } from './script-names';

/**
 * Every script prints exactly one JSON object as the LAST line of stdout. Common fields:
 * `script`, `version`, `ok`; when ok is false, `error` says why (short English text).
 * Exit code: 0 when ok, 1 when not. Scripts NEVER exit 3010 or 194: SSM Agent would reboot
 * the machine and re-run the script (command-channels.md §1.5).
 */
export interface ScriptResultBase {
  script: ScriptName;
  version: number;
  ok: boolean;
  error?: string;
}

export interface DiagnoseResult extends ScriptResultBase {
  script: 'diagnose' | 'verify';
  facts: DiagnosisFacts;
}

/** A registry/WMI value as recorded before or after a change (rollback data). */
export interface RecordedValue<T> {
  present: boolean;
  value: T | null;
}

/** set-single-session, params: value=0|1 */
export interface SetSingleSessionResult extends ScriptResultBase {
  script: 'set-single-session';
  before: RecordedValue<0 | 1>;
  after: RecordedValue<0 | 1>;
  changed: boolean;
}

/** configure-licensing, params: mode=2|4, servers=<comma-separated names> */
export interface ConfigureLicensingResult extends ScriptResultBase {
  script: 'configure-licensing';
  before: { mode: LicensingModeCode; servers: string[] };
  after: { mode: LicensingModeCode; servers: string[] };
  changed: boolean;
}

/**
 * restore-licensing, params: mode=1|2|4|5, servers=<comma-separated names, may be empty>.
 * `after.mode` is WMI LicensingType read through a fresh object; `registryMode` is the
 * RCM\Licensing Core value; `restartNeeded` = the mode is written but Windows shows it only after
 * TermService or the server restarts (modes 1 and 5).
 */
export interface RestoreLicensingResult extends ScriptResultBase {
  script: 'restore-licensing';
  before: { mode: LicensingModeCode; servers: string[] };
  after: { mode: LicensingModeCode; servers: string[] };
  registryMode: LicensingModeCode | null;
  restartNeeded: boolean;
  changed: boolean;
}

/** remove-rdsh-role, params: despiteLicensing=0|1 */
export interface RemoveRoleResult extends ScriptResultBase {
  script: 'remove-rdsh-role';
  before: { installed: boolean };
  /** Success | SuccessRestartRequired | NoChangeNeeded | Failed (FeatureOperationResult.ExitCode) */
  exitCode: 'Success' | 'SuccessRestartRequired' | 'NoChangeNeeded' | 'Failed';
  restartNeeded: boolean;
  /** Which command path ran: uninstall-windowsfeature | remove-windowsfeature | servermanagercmd */
  method: string;
}

/**
 * restart-computer, params: delaySeconds=<5..600> and one of expectedBootTime / bootedBefore
 * (v4; v2 and v3 take expectedBootTime only), ISO-8601 UTC (restart-check.ts).
 */
export interface RestartResult extends ScriptResultBase {
  script: 'restart-computer';
  scheduled: boolean;
  /** The server booted since (expectedBootTime ± 120 s, or after bootedBefore): the restart already happened, none was scheduled. */
  alreadyRestarted: boolean;
  delaySeconds: number;
  /** The current boot time (before the scheduled restart), ISO-8601 UTC. */
  bootTime: string;
  /** v4 with bootedBefore: the threshold this server applied (the batch's; not in the stored parameters). */
  bootedBefore?: string;
}

export type ScriptResult =
  | DiagnoseResult
  | SetSingleSessionResult
  | ConfigureLicensingResult
  | RestoreLicensingResult
  | RemoveRoleResult
  | RestartResult;
