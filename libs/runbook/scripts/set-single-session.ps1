# version: 2
# rdpfix-include: _change.ps1
# set-single-session: fix F1, "Restrict each user to a single session" (fSingleSessionPerUser),
# through WMI SetSingleSession. It is also its own rollback (value=1).
# Parameters: value=0|1, runId=<the command run id> (the run-id guard, _change.ps1).
# Refuses when Group Policy controls the setting (PolicySourceSingleSession = 1 or the policy
# value exists): a local change would be reverted at the next policy refresh.
# Result: before/after = the fSingleSessionPerUser registry value (present, value), changed.

Start-Rdpfix -Name 'set-single-session' -Version 2
$params = Get-RdpfixParams
# Never act twice for one run (docs/at-most-once.md); recorded before anything is read or changed.
Assert-RdpfixFirstRun (Get-RdpfixParam $params 'runId' $script:RdpfixRunIdPattern)
$value = [int](Get-RdpfixParam $params 'value' '^[01]$')

$result = New-RdpfixResult $true
$ts = Get-RdpfixTsSettingOrExit $result

$policy = Get-RdpfixPolicyState $ts
if ($policy.singleSession) {
    Exit-RdpfixFailure 'refused: Group Policy controls fSingleSessionPerUser; change the policy instead' $result
}

function Get-SingleSessionRecord {
    $reg = Get-RdpfixRegValue $script:TsKey 'fSingleSessionPerUser'
    $rec = New-RdpfixMap
    $rec['present'] = [bool]$reg.present
    $rec['value'] = Get-RdpfixRegFlag $script:TsKey 'fSingleSessionPerUser'
    return , $rec
}

$result['before'] = Get-SingleSessionRecord
$current = ConvertTo-RdpfixInt $ts.SingleSession
$changed = $false
if ($current -ne $value) {
    try {
        $out = Invoke-RdpfixWmiMethod $ts 'SetSingleSession' @{ SingleSession = [uint32]$value }
        Assert-RdpfixWmiSuccess $out 'SetSingleSession'
        $changed = $true
    } catch {
        $result['after'] = Get-SingleSessionRecord
        $result['changed'] = $false
        Exit-RdpfixFailure ('SetSingleSession: ' + $_.Exception.Message) $result
    }
}
$result['after'] = Get-SingleSessionRecord
$result['changed'] = $changed

# Read back through a fresh WMI object: a ReturnValue of 0 alone is not proof.
$ts2 = Get-RdpfixTsSetting
$now = ConvertTo-RdpfixInt $ts2.SingleSession
if ($now -ne $value) {
    Exit-RdpfixFailure ('SingleSession reads ' + [string]$now + ' after the change') $result
}
Exit-RdpfixResult $result
