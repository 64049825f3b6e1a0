# version: 1
# restart-computer: schedules a restart with shutdown.exe a few seconds ahead, so that this
# command can report its result before Windows goes down. The service then waits for the agent to
# go offline and come back with a new boot time.
# Parameters: delaySeconds=5..600 (600 is the largest /t that Server 2008 accepts).
# Result: scheduled, delaySeconds, bootTime (the boot time before the restart, ISO-8601 UTC).
# shutdown.exe exit code 1190 means a shutdown is already scheduled: reported as a failure,
# because it may be a power-off rather than a restart.

Start-Rdpfix -Name 'restart-computer' -Version 1
$params = Get-RdpfixParams
$delay = [int](Get-RdpfixParam $params 'delaySeconds' '^[0-9]{1,3}$')
if ($delay -lt 5 -or $delay -gt 600) {
    Exit-RdpfixFailure 'bad parameters: delaySeconds must be 5..600' $null
}

$result = New-RdpfixResult $true
$result['scheduled'] = $false
$result['delaySeconds'] = $delay
try {
    $result['bootTime'] = Get-RdpfixBootTime
} catch {
    Exit-RdpfixFailure ('bootTime: ' + $_.Exception.Message) $result
}

# /r restart, /t delay, /d p:4:1 = planned / application: maintenance, /c = event log comment.
$n = Invoke-RdpfixNative (Get-RdpfixSystemExe 'shutdown.exe') @('/r', '/t', [string]$delay, '/d', 'p:4:1', '/c', 'rdpfix: restart to complete the Remote Desktop licensing repair')
if ($n.exitCode -ne 0) {
    Exit-RdpfixFailure ('shutdown.exe exit code ' + [string]$n.exitCode) $result
}
$result['scheduled'] = $true
Exit-RdpfixResult $result
