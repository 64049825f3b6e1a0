# version: 2
# rdpfix-include: _facts.ps1
# diagnose: read-only. Prints the DiagnosisFacts of this server (OS, RD Session Host role, grace
# days, licensing mode and servers with their sources and statuses, single-session setting, domain
# role, RDS deployment and local license server, pending restart keys, TermService, listener,
# firewall, sessions) as {"script","version","ok","facts"}. A fact that could not be read is null
# and facts.unknown names the failed read with its error. Changes nothing. No parameters.

Start-Rdpfix -Name 'diagnose' -Version 2
$result = New-RdpfixResult $true
$result['facts'] = Get-RdpfixFacts
Exit-RdpfixResult $result
