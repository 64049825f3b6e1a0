/** Error text the way powershell.exe and SSM Agent print it on Windows. */

export const NO_POWERSHELL_STDERR =
  "'powershell' is not recognized as an internal or external command,\r\noperable program or batch file.";

/** SSM Agent appends this to stderr whenever the script exits non-zero. */
export function agentExitSuffix(exitCode: number): string {
  return `failed to run commands: exit status ${exitCode}`;
}

function scriptPath(instanceId: string, commandId: string): string {
  return `C:\\ProgramData\\Amazon\\SSM\\InstanceData\\${instanceId}\\document\\orchestration\\${commandId}\\awsrunPowerShellScript\\0.awsrunPowerShellScript\\_script.ps1`;
}

/** PowerShell 5.1's CommandNotFoundException record for an unknown command. */
export function commandNotFound(term: string, line: number, instanceId: string, commandId: string): string {
  return [
    `${term} : The term '${term}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    `At ${scriptPath(instanceId, commandId)}:${line} char:1`,
    `+ ${term}`,
    `+ ${'~'.repeat(Math.max(1, term.length))}`,
    `    + CategoryInfo          : ObjectNotFound: (${term}:String) [], CommandNotFoundException`,
    '    + FullyQualifiedErrorId : CommandNotFoundException',
    ' ',
  ].join('\r\n');
}

/** A script-level exception, used by the scriptFailureRate fault. */
export function wmiAccessDenied(instanceId: string, commandId: string): string {
  return [
    'Get-WmiObject : Access denied (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))',
    `At ${scriptPath(instanceId, commandId)}:12 char:8`,
    '    + CategoryInfo          : InvalidOperation: (:) [Get-WmiObject], ManagementException',
    '    + FullyQualifiedErrorId : GetWMIManagementException,Microsoft.PowerShell.Commands.GetWmiObjectCommand',
    ' ',
  ].join('\r\n');
}
