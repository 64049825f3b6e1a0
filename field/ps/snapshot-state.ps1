# snapshot-state: read-only. Prints the configuration rdpfix may change (role, licensing mode and
# servers, single-session, boot time, TermService) as key=value lines, so a Pester run after the
# remediation can compare. No parameters.

$state = Get-FieldState
foreach ($k in $state.Keys) { Write-FieldValue $k $state[$k] }
[Console]::Out.WriteLine('RDPFIX-FIELD-END')
