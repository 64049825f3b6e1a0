# version: 1
# remove-rdsh-role: fix F3. Removes the RD Session Host role so that the server returns to the two
# free administrative sessions. Never restarts: the removal completes at the next restart, which
# the service schedules with restart-computer only when the caller allowed it.
#   2012+:   Uninstall-WindowsFeature -Name RDS-RD-Server       (method uninstall-windowsfeature)
#   2008 R2: Import-Module ServerManager; Remove-WindowsFeature  (method remove-windowsfeature)
#   2008:    ServerManagerCmd -remove TS-Terminal-Server         (method servermanagercmd;
#            exit codes 0 = done, 3010 = restart needed, 1003 = nothing to do)
# Refuses on a domain controller and when any RDS deployment piece is present (Connection Broker,
# Web Access, Gateway, RD Licensing, an active session directory): removing the role would break
# the deployment. The service refuses these too; this is the second line of defence.
# After a removal that needs a restart it writes HKLM\SOFTWARE\rdpfix RdshRemovalBootTime = the
# current boot time, so that diagnose can report removalPending on 2008/2008 R2 too.
# No parameters. Result: before.installed, exitCode, restartNeeded, method.

Start-Rdpfix -Name 'remove-rdsh-role' -Version 1
$result = New-RdpfixResult $true
$method = 'uninstall-windowsfeature'
if ($script:RdpfixOsLevel -eq 601) { $method = 'remove-windowsfeature' }
if ($script:RdpfixOsLevel -lt 601) { $method = 'servermanagercmd' }

try {
    $domain = Get-RdpfixDomainInfo
} catch {
    Exit-RdpfixFailure ('refused: cannot tell whether this is a domain controller: ' + $_.Exception.Message) $result
}
if ($domain.isDomainController) {
    Exit-RdpfixFailure 'refused: this server is a domain controller' $result
}

try {
    $features = Get-RdpfixFeatureStates
    $sessionDirectory = Get-RdpfixSessionDirectoryActive
} catch {
    Exit-RdpfixFailure ('refused: cannot read the installed roles: ' + $_.Exception.Message) $result
}
$present = New-Object System.Collections.ArrayList
foreach ($name in @('RDS-Connection-Broker', 'RDS-Web-Access', 'RDS-Gateway', 'RDS-Licensing')) {
    $state = $features[$name]
    if ([bool]$state.installed) { [void]$present.Add($name) }
}
if ($sessionDirectory) { [void]$present.Add('session directory') }
if ($present.Count -gt 0) {
    Exit-RdpfixFailure ('refused: RDS deployment present (' + ($present.ToArray() -join ', ') + ')') $result
}

$rdsh = $features['RDS-RD-Server']
$before = New-RdpfixMap
$before['installed'] = [bool]$rdsh.installed
$result['before'] = $before
$result['exitCode'] = 'NoChangeNeeded'
$result['restartNeeded'] = $false
$result['method'] = $method

$bootTime = $null
try {
    $bootTime = Get-RdpfixBootTime
} catch {
    $bootTime = $null
}

# Already removed in this boot, waiting for the restart: nothing to do but restart.
$markerPending = $false
if ($null -ne $bootTime) { $markerPending = Test-RdpfixRemovalMarker $bootTime }
if ([bool]$rdsh.pending -or $markerPending) {
    $result['restartNeeded'] = $true
    Exit-RdpfixResult $result
}
if (-not [bool]$rdsh.installed) {
    Exit-RdpfixResult $result
}

$exitCode = 'Failed'
$restartNeeded = $false
$failure = $null
try {
    if ($script:RdpfixOsLevel -ge 601) {
        # PowerShell 2.0 has no module auto-loading.
        Import-Module ServerManager -ErrorAction Stop
        if ($script:RdpfixOsLevel -ge 602) {
            $op = Uninstall-WindowsFeature -Name RDS-RD-Server -ErrorAction Stop
        } else {
            $op = Remove-WindowsFeature -Name RDS-RD-Server -ErrorAction Stop
        }
        $r = Get-RdpfixFirst $op
        if ($null -eq $r) { throw 'the feature cmdlet returned no result' }
        $exitCode = [string]$r.ExitCode
        if (@('Success', 'SuccessRestartRequired', 'NoChangeNeeded', 'Failed') -notcontains $exitCode) { $exitCode = 'Failed' }
        if (-not [bool]$r.Success) { $exitCode = 'Failed' }
        $rn = [string]$r.RestartNeeded
        $restartNeeded = ($rn -eq 'Yes' -or $rn -eq 'Maybe' -or $exitCode -eq 'SuccessRestartRequired')
        if ($exitCode -eq 'Failed') { $failure = 'feature removal failed (ExitCode ' + [string]$r.ExitCode + ')' }
    } else {
        $n = Invoke-RdpfixNative (Get-RdpfixSystemExe 'ServerManagerCmd.exe') @('-remove', 'TS-Terminal-Server')
        if ($n.exitCode -eq 0) {
            $exitCode = 'Success'
        } elseif ($n.exitCode -eq 3010) {
            $exitCode = 'SuccessRestartRequired'
            $restartNeeded = $true
        } elseif ($n.exitCode -eq 1003) {
            $exitCode = 'NoChangeNeeded'
        } else {
            $failure = 'ServerManagerCmd exit code ' + [string]$n.exitCode
        }
    }
} catch {
    $exitCode = 'Failed'
    $failure = $_.Exception.Message
}

$result['exitCode'] = $exitCode
$result['restartNeeded'] = $restartNeeded
if ($null -ne $failure) {
    Exit-RdpfixFailure $failure $result
}
if ($restartNeeded -and $null -ne $bootTime) {
    try {
        Set-RdpfixRegValue $script:RdpfixMarkerKey 'RdshRemovalBootTime' $bootTime ([Microsoft.Win32.RegistryValueKind]::String)
    } catch {
        # The marker only helps diagnose on 2008/2008 R2; the removal itself succeeded.
        $bootTime = $null
    }
}
Exit-RdpfixResult $result
