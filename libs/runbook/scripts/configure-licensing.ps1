# version: 2
# rdpfix-include: _change.ps1
# configure-licensing: fix F2. Sets the RD licensing mode (WMI ChangeMode: 2 = per device,
# 4 = per user) and the license server list (SetSpecifiedLicenseServerList on 2008 R2+; on 2008
# the SpecifiedLicenseServers REG_MULTI_SZ value, because the list methods do not exist there).
# Parameters: mode=2|4, servers=<comma-separated host names or IPv4 addresses, 1..4>, runId=<the command run id> (run-id guard).
# Refuses when Group Policy sets the licensing mode or the license servers, when the server is not
# an RD Session Host, when a Connection Broker or session directory manages licensing, and when
# the current configuration could not be put back by restore-licensing.
# Result: before/after = {mode, servers}, changed.

Start-Rdpfix -Name 'configure-licensing' -Version 2
$params = Get-RdpfixParams
# Never act twice for one run (docs/at-most-once.md); recorded before anything is read or changed.
Assert-RdpfixFirstRun (Get-RdpfixParam $params 'runId' $script:RdpfixRunIdPattern)
$mode = [int](Get-RdpfixParam $params 'mode' '^[24]$')
$servers = Get-RdpfixServerParam $params $false

$result = New-RdpfixResult $true
$ts = Get-RdpfixTsSettingOrExit $result

$policy = Get-RdpfixPolicyState $ts
Assert-RdpfixLicensingNotPolicy $policy $result
if ((ConvertTo-RdpfixInt $ts.TerminalServerMode) -ne 1) {
    Exit-RdpfixFailure 'refused: not an RD Session Host (TerminalServerMode is not 1)' $result
}
$brokered = $false
try {
    $features = Get-RdpfixFeatureStates
    $broker = $features['RDS-Connection-Broker']
    $brokered = [bool]$broker.installed
    if (Get-RdpfixSessionDirectoryActive) { $brokered = $true }
} catch {
    Exit-RdpfixFailure ('refused: cannot check for an RDS deployment: ' + $_.Exception.Message) $result
}
if ($brokered) {
    Exit-RdpfixFailure 'refused: RDS deployment (Connection Broker or session directory); licensing is set on the broker' $result
}

function New-LicensingRecord($Mode, $Servers) {
    $rec = New-RdpfixMap
    $rec['mode'] = $Mode
    $rec['servers'] = Limit-RdpfixServerList $Servers
    return , $rec
}

$beforeCfg = Get-RdpfixLicensingConfig $ts
if ($null -eq $beforeCfg.mode) {
    Exit-RdpfixFailure ('refused: LicensingType ' + [string]$ts.LicensingType + ' cannot be recorded for rollback') $result
}
# Rollback data must be complete: every current server must fit the result and pass validation.
if ($beforeCfg.servers.Count -gt $script:RdpfixMaxServers) {
    Exit-RdpfixFailure 'refused: the current license server list is too long to record for rollback' $result
}
foreach ($s in $beforeCfg.servers) {
    if (-not (Test-RdpfixServerName ([string]$s)) -or ([string]$s).Length -gt $script:RdpfixMaxServerChars) {
        Exit-RdpfixFailure 'refused: a current license server name cannot be recorded for rollback' $result
    }
}
$result['before'] = New-LicensingRecord $beforeCfg.mode $beforeCfg.servers

$changed = $false
try {
    if ($beforeCfg.mode -ne $mode) {
        $out = Invoke-RdpfixWmiMethod $ts 'ChangeMode' @{ LicensingType = [uint32]$mode }
        Assert-RdpfixWmiSuccess $out 'ChangeMode'
        $changed = $true
    }
    if (-not (Test-RdpfixStringListEqual $beforeCfg.servers $servers)) {
        Set-RdpfixSpecifiedServers $ts $servers
        $changed = $true
    }
} catch {
    $message = $_.Exception.Message
    try {
        $now = Get-RdpfixLicensingConfig (Get-RdpfixTsSetting)
        $result['after'] = New-LicensingRecord $now.mode $now.servers
    } catch {
        $result['after'] = $null
    }
    $result['changed'] = $changed
    Exit-RdpfixFailure $message $result
}

# Read back through a fresh WMI object.
$afterCfg = Get-RdpfixLicensingConfig (Get-RdpfixTsSetting)
$result['after'] = New-LicensingRecord $afterCfg.mode $afterCfg.servers
$result['changed'] = $changed
if ($afterCfg.mode -ne $mode) {
    Exit-RdpfixFailure ('LicensingType reads ' + [string]$afterCfg.mode + ' after ChangeMode') $result
}
if (-not (Test-RdpfixStringListEqual $afterCfg.servers $servers)) {
    Exit-RdpfixFailure 'the license server list reads back different' $result
}
Exit-RdpfixResult $result
