# arrange-break-wmi: the scenario "licensed Session Host with WMI broken". TEST VMs ONLY.
# Parameters: action=apply|remove.
# apply: stops the Windows Management Instrumentation service (winmgmt) with its dependants and
# disables it, so every WMI query fails while rdpfix diagnoses. remove: sets it back to Automatic
# and starts it (dependants start on demand). The state before is printed so it can be restored
# by hand if the remove step never runs.

$params = Get-FieldParams
$action = [string]$params['action']
if ($action -cnotmatch '^(apply|remove)$') { throw 'action must be apply or remove' }
$sc = Join-Path $env:windir 'System32\sc.exe'
$svc = Get-Service -Name winmgmt
Write-FieldValue 'statusBefore' ([string]$svc.Status)
if ($action -eq 'apply') {
    & $sc config winmgmt start= disabled | Out-Null
    Stop-Service -Name winmgmt -Force
} else {
    & $sc config winmgmt start= auto | Out-Null
    Start-Service -Name winmgmt
}
$after = Get-Service -Name winmgmt
Write-FieldValue 'statusAfter' ([string]$after.Status)
[Console]::Out.WriteLine('RDPFIX-FIELD-END')
