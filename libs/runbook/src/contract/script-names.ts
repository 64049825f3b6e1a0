/**
 * Every runbook script, by name. The file is libs/runbook/scripts/<name>.ps1 and its first
 * line is the header `# rdpfix-script: <name> v<version>`, by which the simulator (and any
 * audit) recognises it.
 */
export const SCRIPT_NAMES = [
  'diagnose', // read-only facts (DiagnosisFacts)
  'verify', // read-only facts after a fix (DiagnosisFacts)
  'set-single-session', // F1: fSingleSessionPerUser via WMI SetSingleSession; also its rollback
  'configure-licensing', // F2: ChangeMode + SetSpecifiedLicenseServerList
  'restore-licensing', // rollback of F2 to recorded values (including "not configured")
  'remove-rdsh-role', // F3: Uninstall-/Remove-WindowsFeature / ServerManagerCmd, never -Restart
  'restart-computer', // schedules `shutdown /r /f /t N` so the command can report first
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** Scripts that change the server. A refused remediation must never send one of these. */
export const CHANGING_SCRIPTS: ReadonlySet<ScriptName> = new Set([
  'set-single-session',
  'configure-licensing',
  'restore-licensing',
  'remove-rdsh-role',
  'restart-computer',
]);

export const HEADER_PATTERN = /^# rdpfix-script: ([a-z-]+) v(\d+)\s*$/;

/**
 * The single data line that carries parameters, always line 2 of a rendered script:
 *   $RdpfixParams = '<base64 of UTF-8 "key=value" lines joined by \n>'
 * Base64 has no quote characters, so no parameter value can ever become code.
 */
export const PARAMS_LINE_PATTERN = /^\$RdpfixParams = '([A-Za-z0-9+/=]*)'\s*$/;
export const PARAM_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

/** The JSON result line (last line of stdout) must stay under this many characters. */
export const MAX_RESULT_LINE_CHARS = 2500;
