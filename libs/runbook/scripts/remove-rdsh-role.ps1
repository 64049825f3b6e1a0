# version: 3
# rdpfix-include: _change.ps1
# remove-rdsh-role: fix F3. Removes the RD Session Host role so that the server returns to the two
# free administrative sessions. Never restarts: the removal completes at the next restart, which
# the service schedules with restart-computer only with the caller's consent (given before this
# script runs).
#   2012+:   Uninstall-WindowsFeature -Name RDS-RD-Server       (method uninstall-windowsfeature)
#   2008 R2: Import-Module ServerManager; Remove-WindowsFeature  (method remove-windowsfeature)
#   2008:    ServerManagerCmd -remove TS-Terminal-Server         (method servermanagercmd;
#            exit codes 0 = done, 3010 = restart needed, 1003 = nothing to do)
# Second line of defence (the service refuses these first). It refuses:
#   * on a domain controller, or when that cannot be told;
#   * when an RDS deployment piece is present: Connection Broker, Web Access, Gateway, an active
#     session directory, or a local RD license server that is activated and holds real CAL packs
#     (an installed but unactivated RD Licensing role does not count);
#   * when licensing is configured (LicensingType 2/4 with a license server), or cannot be read,
#     unless despiteLicensing=1 (the caller's explicit request).
# After a removal that needs a restart it writes HKLM\SOFTWARE\rdpfix RdshRemovalBootTime = the
# current boot time, so that diagnose can report removalPending on 2008/2008 R2 too.
# Parameters: despiteLicensing=0|1, runId=<the command run id> (the run-id guard, _change.ps1).
# Result: before.installed, exitCode, restartNeeded, method.

Start-Rdpfix -Name 'remove-rdsh-role' -Version 3
$params = Get-RdpfixParams
# Never act twice for one run (docs/at-most-once.md); recorded before anything is read or changed.
Assert-RdpfixFirstRun (Get-RdpfixParam $params 'runId' $script:RdpfixRunIdPattern)
$despiteLicensing = ((Get-RdpfixParam $params 'despiteLicensing' '^[01]$') -eq '1')
$result = New-RdpfixResult $true
$method = 'uninstall-windowsfeature'
if ($script:RdpfixOsLevel -eq 601) { $method = 'remove-windowsfeature' }
if ($script:RdpfixOsLevel -lt 601) { $method = 'servermanagercmd' }

$role = $null
try {
    $domainInfo = Get-RdpfixDomainInfo
    $role = $domainInfo.role
} catch {
    $role = $null
}
$isDc = $null
try {
    $isDc = Test-RdpfixDomainController $role
} catch {
    $isDc = $null
}
if ($null -eq $isDc) {
    Exit-RdpfixFailure 'refused: cannot tell whether this is a domain controller' $result
}
if ($isDc) {
    Exit-RdpfixFailure 'refused: this server is a domain controller' $result
}

try {
    $features = Get-RdpfixFeatureStates
    $sessionDirectory = Get-RdpfixSessionDirectoryActive
} catch {
    Exit-RdpfixFailure ('refused: cannot read the installed roles: ' + $_.Exception.Message) $result
}
$present = New-Object System.Collections.ArrayList
foreach ($name in @('RDS-Connection-Broker', 'RDS-Web-Access', 'RDS-Gateway')) {
    $state = $features[$name]
    if ([bool]$state.installed) { [void]$present.Add($name) }
}
if ($sessionDirectory) { [void]$present.Add('session directory') }
if ([bool]$features['RDS-Licensing'].installed) {
    try {
        $ls = Get-RdpfixLicenseServerState
    } catch {
        Exit-RdpfixFailure ('refused: cannot read the local RD license server: ' + $_.Exception.Message) $result
    }
    if ($ls.activated -and $ls.packs -gt 0) { [void]$present.Add('activated RD license server with CAL packs') }
}
if ($present.Count -gt 0) {
    Exit-RdpfixFailure ('refused: RDS deployment present (' + ($present.ToArray() -join ', ') + ')') $result
}

# A server whose licensing is configured is not stripped of its role without an explicit request.
if (-not $despiteLicensing) {
    $configured = $null
    try {
        $ts = Get-RdpfixTsSetting
        $policy = Get-RdpfixPolicyState $ts
        $mode = ConvertTo-RdpfixModeCode $ts.LicensingType
        $listed = 0
        if ($policy.licenseServers) {
            $pv = Get-RdpfixRegValue $script:TsPolicyKey 'LicenseServers'
            foreach ($part in ([string]$pv.value).Split(',')) {
                if ($part.Trim().Length -gt 0) { $listed = $listed + 1 }
            }
        } else {
            $specified = Get-RdpfixSpecifiedServers $ts
            $listed = $specified.Count
        }
        if ($null -ne $mode) { $configured = (($mode -eq 2 -or $mode -eq 4) -and $listed -gt 0) }
    } catch {
        $configured = $null
    }
    if ($null -eq $configured) {
        Exit-RdpfixFailure 'refused: cannot tell whether RD licensing is configured' $result
    }
    if ($configured) {
        Exit-RdpfixFailure 'refused: RD licensing is configured (licensing mode and a license server); not removed without an explicit request' $result
    }
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
