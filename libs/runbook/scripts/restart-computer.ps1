# version: 4
# rdpfix-include: _change.ps1
# restart-computer: schedules a restart with shutdown.exe a few seconds ahead, so that this
# command can report its result before Windows goes down. The service then waits for the agent to
# go offline and come back with a new boot time.
# Parameters: runId=<the command run id> (run-id guard, _change.ps1); delaySeconds=5..600 (600 is the largest /t that Server 2008 accepts);
#   and exactly one of (both ISO-8601 UTC, whole seconds):
#   expectedBootTime = this server's boot time seen before the change (single fixes, and runs
#     stored before v4). A current boot time more than 120 s away from it (either way; the
#     tolerance covers clock steps) means the restart already happened.
#   bootedBefore = the latest boot time that still means "not restarted yet", the same for every
#     server of a batched command (the batch's latest boot time before the change + 120 s). A
#     current boot time after it means the restart already happened. One-sided: a clock step
#     backwards never looks like a restart.
#   Either way a re-delivered command must not restart a second time: it only reports
#   alreadyRestarted = true.
# /f is passed with /t: Windows 2008 R2+ implies it, Windows Server 2008 does not, and without it
# an application with unsaved data can hold the restart up indefinitely.
# Result: scheduled, alreadyRestarted, delaySeconds, bootTime (the current boot time, ISO-8601 UTC),
#   and bootedBefore when that parameter was given (the threshold this server applied).
# shutdown.exe exit code 1190 means a shutdown is already scheduled: reported as a failure,
# because it may be a power-off rather than a restart.

Start-Rdpfix -Name 'restart-computer' -Version 4
$params = Get-RdpfixParams
# Never act twice for one run (docs/at-most-once.md); recorded before anything is read or changed.
Assert-RdpfixFirstRun (Get-RdpfixParam $params 'runId' $script:RdpfixRunIdPattern)
$delay = [int](Get-RdpfixParam $params 'delaySeconds' '^[0-9]{1,3}$')
if ($delay -lt 5 -or $delay -gt 600) {
    Exit-RdpfixFailure 'bad parameters: delaySeconds must be 5..600' $null
}
$oneSided = $params.ContainsKey('bootedBefore')
if ($oneSided -eq $params.ContainsKey('expectedBootTime')) {
    Exit-RdpfixFailure 'bad parameters: give exactly one of expectedBootTime and bootedBefore' $null
}
if ($oneSided) {
    $checkKey = 'bootedBefore'
    $checkText = Get-RdpfixParam $params 'bootedBefore' '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
} else {
    $checkKey = 'expectedBootTime'
    $checkText = Get-RdpfixParam $params 'expectedBootTime' '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
}
$style = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
$threshold = [DateTime]::MinValue
if (-not [DateTime]::TryParseExact($checkText, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture, $style, [ref]$threshold)) {
    Exit-RdpfixFailure ('bad parameters: ' + $checkKey + ' is not a valid time') $null
}

$result = New-RdpfixResult $true
$result['scheduled'] = $false
$result['alreadyRestarted'] = $false
$result['delaySeconds'] = $delay
if ($oneSided) { $result['bootedBefore'] = $checkText }
try {
    $result['bootTime'] = Get-RdpfixBootTime
} catch {
    Exit-RdpfixFailure ('bootTime: ' + $_.Exception.Message) $result
}
$current = [DateTime]::ParseExact([string]$result['bootTime'], "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture, $style)
if ($oneSided) {
    $restarted = ($current -gt $threshold)
} else {
    $restarted = ([Math]::Abs(($current - $threshold).TotalSeconds) -gt 120)
}
if ($restarted) {
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
