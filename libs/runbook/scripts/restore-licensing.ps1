# version: 3
# rdpfix-include: _change.ps1
# restore-licensing: rollback of configure-licensing to the values it recorded ("before").
# Parameters: mode=1|2|4|5, servers=<comma-separated names, may be empty>, runId=<the command run id> (run-id guard).
#   mode 2/4: WMI ChangeMode. mode 1/5 (RD for Administration / not configured): ChangeMode does
#   not set these, so the non-policy value RCM\Licensing Core\LicensingMode is written back.
#   servers empty: EmptySpecifiedLicenseServerList (2008: the SpecifiedLicenseServers value is
#   deleted); otherwise SetSpecifiedLicenseServerList (2008: the value is written).
# Refuses when Group Policy now controls RD licensing.
# Verification reads WMI LicensingType through a fresh object, never the registry value just
# written. Modes 1/5 are written to the registry, and WMI and TermService may keep the old mode
# until TermService or the server restarts: then the result says restartNeeded = true (ok stays
# true only if the registry holds the requested mode).
# Result: before/after = {mode, servers} (after.mode = WMI LicensingType), registryMode,
# restartNeeded, changed.

Start-Rdpfix -Name 'restore-licensing' -Version 3
$params = Get-RdpfixParams
# Never act twice for one run (docs/at-most-once.md); recorded before anything is read or changed.
Assert-RdpfixFirstRun (Get-RdpfixParam $params 'runId' $script:RdpfixRunIdPattern)
$mode = [int](Get-RdpfixParam $params 'mode' '^[1245]$')
$servers = Get-RdpfixServerParam $params $true

$result = New-RdpfixResult $true
$ts = Get-RdpfixTsSettingOrExit $result

$policy = Get-RdpfixPolicyState $ts
Assert-RdpfixLicensingNotPolicy $policy $result

function Get-CoreLicensingMode {
    $v = Get-RdpfixRegValue $script:LicensingCoreKey 'LicensingMode'
    return (ConvertTo-RdpfixModeCode $v.value)
}

# The mode as WMI reports it (the registry value only when WMI does not answer).
function Get-RestoreMode($Ts) {
    $m = ConvertTo-RdpfixModeCode $Ts.LicensingType
    if ($null -eq $m) { $m = Get-CoreLicensingMode }
    if ($null -eq $m) { $m = 5 }
    return $m
}

function New-LicensingRecord($Mode, $Servers) {
    $rec = New-RdpfixMap
    $rec['mode'] = $Mode
    $rec['servers'] = Limit-RdpfixServerList $Servers
    return , $rec
}

$beforeServers = Get-RdpfixSpecifiedServers $ts
$beforeMode = Get-RestoreMode $ts
$result['before'] = New-LicensingRecord $beforeMode $beforeServers

$changed = $false
try {
    if ($mode -eq 2 -or $mode -eq 4) {
        if ((ConvertTo-RdpfixModeCode $ts.LicensingType) -ne $mode) {
            $out = Invoke-RdpfixWmiMethod $ts 'ChangeMode' @{ LicensingType = [uint32]$mode }
            Assert-RdpfixWmiSuccess $out 'ChangeMode'
            $changed = $true
        }
    } else {
        if ((Get-CoreLicensingMode) -ne $mode) {
            Set-RdpfixRegValue $script:LicensingCoreKey 'LicensingMode' ([int]$mode) ([Microsoft.Win32.RegistryValueKind]::DWord)
            $changed = $true
        }
    }
    if (-not (Test-RdpfixStringListEqual $beforeServers $servers)) {
        Set-RdpfixSpecifiedServers $ts $servers
        $changed = $true
    }
} catch {
    $message = $_.Exception.Message
    $result['changed'] = $changed
    Exit-RdpfixFailure $message $result
}

# Read back through a fresh WMI object: LicensingType is what Windows uses, not what we wrote.
$ts2 = Get-RdpfixTsSetting
$afterServers = Get-RdpfixSpecifiedServers $ts2
$afterMode = ConvertTo-RdpfixModeCode $ts2.LicensingType
if ($null -eq $afterMode) {
    $result['changed'] = $changed
    Exit-RdpfixFailure ('WMI LicensingType reads ' + [string]$ts2.LicensingType + ' after the restore') $result
}
$registryMode = Get-CoreLicensingMode
$result['after'] = New-LicensingRecord $afterMode $afterServers
$result['registryMode'] = $registryMode
$result['restartNeeded'] = $false
$result['changed'] = $changed
if (-not (Test-RdpfixStringListEqual $afterServers $servers)) {
    Exit-RdpfixFailure 'the license server list reads back different' $result
}
if ($afterMode -ne $mode) {
    if (($mode -eq 1 -or $mode -eq 5) -and $registryMode -eq $mode) {
        # Written, but Windows applies it only after TermService or the server restarts.
        $result['restartNeeded'] = $true
        Exit-RdpfixResult $result
    }
    Exit-RdpfixFailure ('WMI LicensingType reads ' + [string]$afterMode + ' after the restore') $result
}
Exit-RdpfixResult $result
