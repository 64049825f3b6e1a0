# version: 1
# restore-licensing: rollback of configure-licensing to the values it recorded ("before").
# Parameters: mode=1|2|4|5, servers=<comma-separated names, may be empty>.
#   mode 2/4: WMI ChangeMode. mode 1/5 (RD for Administration / not configured): ChangeMode does
#   not set these, so the non-policy value RCM\Licensing Core\LicensingMode is written back.
#   servers empty: EmptySpecifiedLicenseServerList (2008: the SpecifiedLicenseServers value is
#   deleted); otherwise SetSpecifiedLicenseServerList (2008: the value is written).
# Refuses when Group Policy now controls RD licensing.
# Result: before/after = {mode, servers}, changed. For mode 1/5 "after.mode" is the registry value
# read back: WMI may show the new mode only after TermService restarts.

Start-Rdpfix -Name 'restore-licensing' -Version 1
$params = Get-RdpfixParams
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

# The mode as this rollback sees it: WMI for 2/4, the registry value for 1/5.
function Get-RestoreMode($Ts) {
    if ($mode -eq 1 -or $mode -eq 5) {
        $core = Get-CoreLicensingMode
        if ($null -ne $core) { return $core }
    }
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

$ts2 = Get-RdpfixTsSetting
$afterServers = Get-RdpfixSpecifiedServers $ts2
$afterMode = Get-RestoreMode $ts2
$result['after'] = New-LicensingRecord $afterMode $afterServers
$result['changed'] = $changed
if ($afterMode -ne $mode) {
    Exit-RdpfixFailure ('licensing mode reads ' + [string]$afterMode + ' after the restore') $result
}
if (-not (Test-RdpfixStringListEqual $afterServers $servers)) {
    Exit-RdpfixFailure 'the license server list reads back different' $result
}
Exit-RdpfixResult $result
