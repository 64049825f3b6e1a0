# version: 2
# rdpfix-include: _facts.ps1
# verify: read-only, run after a fix (and after the reboot when there was one). Prints the same
# DiagnosisFacts as diagnose; the service decides from them whether the cause is gone, TermService
# runs and the RDP listener is up. Changes nothing. No parameters.

Start-Rdpfix -Name 'verify' -Version 2
$result = New-RdpfixResult $true
$result['facts'] = Get-RdpfixFacts
Exit-RdpfixResult $result
