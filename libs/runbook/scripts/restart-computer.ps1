# version: 3
# rdpfix-include: _change.ps1
# restart-computer: schedules a restart with shutdown.exe a few seconds ahead, so that this
# command can report its result before Windows goes down. The service then waits for the agent to
# go offline and come back with a new boot time.
# Parameters: runId=<the command run id> (run-id guard, _change.ps1); delaySeconds=5..600 (600 is the largest /t that Server 2008 accepts);
#   expectedBootTime=<ISO-8601 UTC> = the boot time the service saw before the change. When the
#   server has booted since (beyond a 120 s tolerance for clock steps), the restart already
#   happened: a re-delivered command must not restart a second time, so it only reports
#   alreadyRestarted = true.
# /f is passed with /t: Windows 2008 R2+ implies it, Windows Server 2008 does not, and without it
# an application with unsaved data can hold the restart up indefinitely.
# Result: scheduled, alreadyRestarted, delaySeconds, bootTime (the current boot time, ISO-8601 UTC).
# shutdown.exe exit code 1190 means a shutdown is already scheduled: reported as a failure,
# because it may be a power-off rather than a restart.

Start-Rdpfix -Name 'restart-computer' -Version 3
$params = Get-RdpfixParams
# Never act twice for one run (docs/at-most-once.md); recorded before anything is read or changed.
Assert-RdpfixFirstRun (Get-RdpfixParam $params 'runId' $script:RdpfixRunIdPattern)
$delay = [int](Get-RdpfixParam $params 'delaySeconds' '^[0-9]{1,3}$')
if ($delay -lt 5 -or $delay -gt 600) {
    Exit-RdpfixFailure 'bad parameters: delaySeconds must be 5..600' $null
}
$expectedText = Get-RdpfixParam $params 'expectedBootTime' '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
$style = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
$expected = [DateTime]::MinValue
if (-not [DateTime]::TryParseExact($expectedText, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture, $style, [ref]$expected)) {
    Exit-RdpfixFailure 'bad parameters: expectedBootTime is not a valid time' $null
}

$result = New-RdpfixResult $true
$result['scheduled'] = $false
$result['alreadyRestarted'] = $false
$result['delaySeconds'] = $delay
try {
    $result['bootTime'] = Get-RdpfixBootTime
} catch {
    Exit-RdpfixFailure ('bootTime: ' + $_.Exception.Message) $result
}
$current = [DateTime]::ParseExact([string]$result['bootTime'], "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture, $style)
if ([Math]::Abs(($current - $expected).TotalSeconds) -gt 120) {
    $result['alreadyRestarted'] = $true
    Exit-RdpfixResult $result
}

# /r restart, /f close applications, /t delay, /d p:4:1 = planned / application: maintenance,
# /c = event log comment.
$n = Invoke-RdpfixNative (Get-RdpfixSystemExe 'shutdown.exe') @('/r', '/f', '/t', [string]$delay, '/d', 'p:4:1', '/c', 'rdpfix: restart to complete the Remote Desktop licensing repair')
if ($n.exitCode -ne 0) {
    Exit-RdpfixFailure ('shutdown.exe exit code ' + [string]$n.exitCode) $result
}
$result['scheduled'] = $true
Exit-RdpfixResult $result
