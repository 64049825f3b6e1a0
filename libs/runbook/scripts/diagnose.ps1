# version: 1
# rdpfix-include: _facts.ps1
# diagnose: read-only. Prints the DiagnosisFacts of this server (OS, RD Session Host role, grace
# days, licensing mode and servers with their sources, single-session setting, domain role, RDS
# deployment, pending reboot, TermService, listener, sessions) as {"script","version","ok","facts"}.
# Changes nothing. No parameters.

Start-Rdpfix -Name 'diagnose' -Version 1
$result = New-RdpfixResult $true
$result['facts'] = Get-RdpfixFacts
Exit-RdpfixResult $result
