# ---------------------------------------------------------------------------------------------
# rdpfix facts collector (_facts.ps1), included by diagnose.ps1 and verify.ps1 after _common.ps1.
# Read-only: no registry writes and no Set*/Change* WMI methods. Checks follow rdp-licensing.md
# section 3 (D1-D12) and section 6. Each read has its own try/catch. A read that fails never
# leaves a default behind: every fact that came from it is reported null ("unknown") and the
# "unknown" map names the read with its error. "errors" holds other non-fatal errors (capped;
# "errorsDropped" counts the rest).
# The licensing grace-period key in the registry is never read, not even for its existence.
# ---------------------------------------------------------------------------------------------

$script:RdpfixMaxSessionRows = 8
$script:RdpfixMaxSessionChars = 80

# D1: the release, from version and build; client Windows (ProductType 1) is not a supported server.
function Get-RdpfixOsFamily {
    if ($script:RdpfixProductType -eq 1) { return $null }
    $l = $script:RdpfixOsLevel
    if ($l -eq 600) { return '2008' }
    if ($l -eq 601) { return '2008R2' }
    if ($l -eq 602) { return '2012' }
    if ($l -eq 603) { return '2012R2' }
    if ($l -eq 1000) {
        $b = $script:RdpfixOsBuild
        if ($b -ge 26100) { return '2025' }
        if ($b -ge 20348) { return '2022' }
        if ($b -ge 17763) { return '2019' }
        if ($b -ge 14393) { return '2016' }
    }
    return $null
}

function Get-RdpfixPsVersion {
    $v = $PSVersionTable.PSVersion
    return ([string]$v.Major + '.' + [string]$v.Minor)
}

# D10: quser rows without the header, whitespace collapsed, at most 10 rows of at most 80 chars.
function Get-RdpfixSessions {
    $rows = New-Object System.Collections.ArrayList
    $truncated = $false
    $r = Invoke-RdpfixNative (Get-RdpfixSystemExe 'quser.exe') $null
    if ($r.exitCode -ne 0 -and $r.stdout.Count -eq 0) {
        # Nobody logged on: "No User exists for *" on stderr and exit code 1.
        if ($r.exitCode -eq 1) { return @{ rows = $rows; truncated = $false } }
        throw ('quser exit code ' + [string]$r.exitCode)
    }
    foreach ($line in $r.stdout) {
        $row = ($line -replace '\s+', ' ').Trim()
        if ($row.Length -eq 0) { continue }
        # Session rows carry an integer session id; the localized header and messages do not.
        $hasId = $false
        foreach ($t in $row.Split(' ')) {
            if ($t -cmatch '^[0-9]+$') {
                $hasId = $true
                break
            }
        }
        if (-not $hasId) { continue }
        if ($rows.Count -ge $script:RdpfixMaxSessionRows) {
            $truncated = $true
            break
        }
        [void]$rows.Add((Limit-RdpfixText $row $script:RdpfixMaxSessionChars))
    }
    return @{ rows = $rows; truncated = $truncated }
}

# Section 6: the RDP-Tcp listener row in qwinsta, and a TCP socket listening on PortNumber.
# netstat's state column is localized, so a listening socket is recognised by its foreign
# address 0.0.0.0:0 or [::]:0 instead. When one of the two tools fails, the other decides;
# when both fail the check fails (the caller records the error).
function Get-RdpfixListener {
    $port = 3389
    $pv = Get-RdpfixRegValue $script:RdpTcpKey 'PortNumber'
    $pn = ConvertTo-RdpfixInt $pv.value
    if ($null -ne $pn -and $pn -gt 0 -and $pn -lt 65536) { $port = $pn }

    $listed = $null
    try {
        $q = Invoke-RdpfixNative (Get-RdpfixSystemExe 'qwinsta.exe') $null
        if ($q.exitCode -ne 0) { throw ('qwinsta exit code ' + [string]$q.exitCode) }
        $listed = $false
        foreach ($line in $q.stdout) {
            $tokens = @($line.Trim() -split '\s+')
            if ($tokens.Count -gt 0 -and $tokens[0].TrimStart('>') -eq 'rdp-tcp') { $listed = $true }
        }
    } catch {
        Add-RdpfixError 'qwinsta' $_
    }
    if ($false -eq $listed) { return @{ up = $false; port = $port } }

    $listening = $null
    try {
        $n = Invoke-RdpfixNative (Get-RdpfixSystemExe 'netstat.exe') @('-a', '-n')
        if ($n.exitCode -ne 0) { throw ('netstat exit code ' + [string]$n.exitCode) }
        $listening = $false
        $suffix = ':' + [string]$port
        foreach ($line in $n.stdout) {
            $tokens = @($line.Trim() -split '\s+')
            if ($tokens.Count -lt 3 -or $tokens[0] -ne 'TCP') { continue }
            if (($tokens[2] -eq '0.0.0.0:0' -or $tokens[2] -eq '[::]:0') -and $tokens[1].EndsWith($suffix)) {
                $listening = $true
                break
            }
        }
    } catch {
        Add-RdpfixError 'netstat' $_
    }
    if ($null -eq $listening) {
        if ($null -eq $listed) { throw 'neither qwinsta nor netstat could be read' }
        $listening = $true
    }
    return @{ up = [bool]$listening; port = $port }
}

# D12: Component Based Servicing and Windows Update block a role removal; pending file renames
# are only reported (antivirus, agents and drivers set them on many healthy servers).
function Get-RdpfixPendingReboot {
    $state = New-RdpfixMap
    $state['cbs'] = Test-RdpfixRegKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    $state['wu'] = Test-RdpfixRegKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    $rename = $false
    $p = Get-RdpfixRegValue 'SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations'
    if ($p.present -and $null -ne $p.value) {
        foreach ($x in @($p.value)) {
            if (([string]$x).Length -gt 0) { $rename = $true }
        }
    }
    $state['fileRename'] = $rename
    return , $state
}

function Get-RdpfixTermServiceState {
    $svc = Get-Service -Name TermService -ErrorAction Stop
    $status = [string]$svc.Status
    if ($status -eq 'Running') { return 'running' }
    if ($status -eq 'Stopped') { return 'stopped' }
    return 'unknown'
}

# Effective 0/1 of a setting: WMI value when available, else the policy value, else the local
# value. $null when none of them answers: the Windows default is not assumed.
function Get-RdpfixFlag($WmiValue, [string]$PolicyName, [string]$LocalName) {
    $n = ConvertTo-RdpfixInt $WmiValue
    if ($null -ne $n) {
        if ($n -ne 0) { return 1 }
        return 0
    }
    $p = Get-RdpfixRegFlag $script:TsPolicyKey $PolicyName
    if ($null -ne $p) { return $p }
    return (Get-RdpfixRegFlag $script:TsKey $LocalName)
}

# 'local' or 'policy' from a policy-state flag; $null when the policy state is unknown.
function Get-RdpfixSource($Policy, [string]$Name) {
    if ($null -eq $Policy) { return $null }
    if ($Policy[$Name]) { return 'policy' }
    return 'local'
}

function Get-RdpfixFacts {
    # D1: OS, PowerShell, bitness.
    $os = New-RdpfixMap
    $os['version'] = $script:RdpfixOsVersionText
    $os['family'] = Get-RdpfixOsFamily
    $os['ps'] = Limit-RdpfixText (Get-RdpfixPsVersion) 10
    $os['is64'] = ([IntPtr]::Size -eq 8)

    # The worker tells reboots apart by boot time, so a diagnosis without it is no diagnosis.
    $bootTime = $null
    try {
        $bootTime = Get-RdpfixBootTime
    } catch {
        Exit-RdpfixFailure ('bootTime: ' + $_.Exception.Message) $null
    }

    $ts = $null
    try {
        $ts = Get-RdpfixTsSetting
    } catch {
        Set-RdpfixUnknown 'ts' $_
    }

    # D2 and D7: the RDS features (ServerManager / ServerManagerCmd).
    $features = $null
    try {
        $features = Get-RdpfixFeatureStates
    } catch {
        Set-RdpfixUnknown 'features' $_
    }

    $tsMode = $null
    if ($null -ne $ts) {
        $m = ConvertTo-RdpfixInt $ts.TerminalServerMode
        if ($m -eq 1) { $tsMode = 1 } elseif ($null -ne $m) { $tsMode = 0 }
    }
    $installed = $null
    $featurePending = $null
    if ($null -ne $features) {
        $rdshFeature = $features['RDS-RD-Server']
        $installed = [bool]$rdshFeature.installed
        $featurePending = [bool]$rdshFeature.pending
    }
    $marker = $null
    try {
        $marker = Test-RdpfixRemovalMarker $bootTime
    } catch {
        Set-RdpfixUnknown 'marker' $_
    }
    # 2012+ reports a pending removal in InstallState; 2008 / 2008 R2 only through the marker.
    $removalPending = $null
    if ($featurePending -eq $true -or $marker -eq $true) {
        $removalPending = $true
    } elseif ($featurePending -eq $false -and ($script:RdpfixOsLevel -ge 602 -or $marker -eq $false)) {
        $removalPending = $false
    }
    $rdshMap = New-RdpfixMap
    $rdshMap['installed'] = $installed
    $rdshMap['terminalServerMode'] = $tsMode
    $rdshMap['removalPending'] = $removalPending
    $isRdsh = ($installed -eq $true -or $tsMode -eq 1 -or $removalPending -eq $true)
    $notRdsh = (-not $isRdsh) -and ($installed -eq $false -or $tsMode -eq 0) -and $removalPending -eq $false

    # Group Policy: registry policy values, plus the WMI PolicySource* flags when WMI answers.
    $policy = $null
    try {
        $policy = Get-RdpfixPolicyState $ts
    } catch {
        Set-RdpfixUnknown 'policy' $_
    }

    # D3: grace days; only on an RD Session Host (the call may throw elsewhere).
    $graceDays = $null
    if ($null -ne $ts -and $isRdsh) {
        try {
            $out = Invoke-RdpfixWmiMethod $ts 'GetGracePeriodDays' $null
            Assert-RdpfixWmiSuccess $out 'GetGracePeriodDays'
            $graceDays = ConvertTo-RdpfixInt (Get-RdpfixWmiOut $out 'DaysLeft')
            if ($null -eq $graceDays -or $graceDays -lt 0) {
                $graceDays = $null
                throw 'DaysLeft missing or negative'
            }
        } catch {
            Set-RdpfixUnknown 'grace' $_
        }
    }

    # D4: licensing mode (WMI LicensingType; without WMI the policy or RCM registry value).
    $mode = $null
    if ($null -ne $ts) {
        $mode = ConvertTo-RdpfixModeCode $ts.LicensingType
        if ($null -eq $mode) { Set-RdpfixUnknown 'mode' ('unexpected LicensingType ' + [string]$ts.LicensingType) }
    } else {
        try {
            $pm = Get-RdpfixRegValue $script:TsPolicyKey 'LicensingMode'
            $pmode = ConvertTo-RdpfixModeCode $pm.value
            $lm = Get-RdpfixRegValue $script:LicensingCoreKey 'LicensingMode'
            $lmode = ConvertTo-RdpfixModeCode $lm.value
            if ($pm.present -and ($pmode -eq 2 -or $pmode -eq 4)) { $mode = $pmode }
            elseif ($null -ne $lmode) { $mode = $lmode }
        } catch {
            Set-RdpfixUnknown 'mode' $_
        }
    }

    # D5: license servers (the policy list wins) and, on a 2008 R2+ RDSH, each one's status.
    # GetSpecifiedLicenseServerList is not called on a server that is not a Session Host.
    $servers = $null
    $allServers = $null
    if ($null -ne $policy) {
        try {
            if ($policy.licenseServers) {
                $allServers = New-Object System.Collections.ArrayList
                $pv = Get-RdpfixRegValue $script:TsPolicyKey 'LicenseServers'
                if ($pv.present) {
                    foreach ($part in ([string]$pv.value).Split(',')) {
                        $name = $part.Trim()
                        if ($name.Length -gt 0) { [void]$allServers.Add($name) }
                    }
                }
            } elseif ($script:RdpfixOsLevel -lt 601) {
                $allServers = Get-RdpfixSpecifiedServers $null
            } elseif ($null -ne $ts -and -not $notRdsh) {
                $allServers = Get-RdpfixSpecifiedServers $ts
            }
        } catch {
            $allServers = $null
            Set-RdpfixUnknown 'servers' $_
        }
    }
    if ($null -ne $allServers) {
        if ($allServers.Count -gt $script:RdpfixMaxServers) {
            Add-RdpfixError 'licenseServers' ([string]$allServers.Count + ' servers, first ' + [string]$script:RdpfixMaxServers + ' reported')
        }
        $servers = Limit-RdpfixServerList $allServers
    }
    $statuses = New-Object System.Collections.ArrayList
    if ($null -ne $ts -and $null -ne $allServers -and $script:RdpfixOsLevel -ge 601 -and $tsMode -eq 1) {
        $i = 0
        foreach ($server in $allServers) {
            if ($i -ge $script:RdpfixMaxServers) { break }
            # -1: the call failed. That is unknown, not "unreachable".
            $status = -1
            try {
                $out = Invoke-RdpfixWmiMethod $ts 'GetTStoLSConnectivityStatus' @{ ServerName = [string]$server }
                Assert-RdpfixWmiSuccess $out 'GetTStoLSConnectivityStatus'
                $st = ConvertTo-RdpfixInt (Get-RdpfixWmiOut $out 'TStoLSConnectivityStatus')
                if ($null -ne $st) { $status = $st }
            } catch {
                Add-RdpfixError 'reachability' $_
            }
            [void]$statuses.Add($status)
            $i = $i + 1
        }
    }
    $licensing = New-RdpfixMap
    $licensing['mode'] = $mode
    $licensing['modeSource'] = Get-RdpfixSource $policy 'licensingMode'
    $licensing['servers'] = $servers
    $licensing['serversSource'] = Get-RdpfixSource $policy 'licenseServers'
    $licensing['statuses'] = $statuses

    # D9: one session per user (no value assumed when nothing answers).
    $ssValue = $null
    try {
        $wmiSs = $null
        if ($null -ne $ts) { $wmiSs = $ts.SingleSession }
        $ssValue = Get-RdpfixFlag $wmiSs 'fSingleSessionPerUser' 'fSingleSessionPerUser'
        if ($null -eq $ssValue -and $null -ne $ts) { throw 'SingleSession not reported' }
    } catch {
        $ssValue = $null
        Set-RdpfixUnknown 'single' $_
    }
    $single = New-RdpfixMap
    $single['value'] = $ssValue
    $single['source'] = Get-RdpfixSource $policy 'singleSession'

    # D8: domain role; ProductType answers "is it a DC" when WMI does not.
    $domain = New-RdpfixMap
    $role = $null
    $partOfDomain = $null
    try {
        $d = Get-RdpfixDomainInfo
        $role = $d.role
        $partOfDomain = $d.partOfDomain
    } catch {
        Set-RdpfixUnknown 'domain' $_
    }
    $isDc = $null
    try {
        $isDc = Test-RdpfixDomainController $role
        if ($null -eq $isDc) { Set-RdpfixUnknown 'dc' 'neither DomainRole nor ProductType could be read' }
    } catch {
        Set-RdpfixUnknown 'dc' $_
    }
    $domain['role'] = $role
    $domain['partOfDomain'] = $partOfDomain
    $domain['isDomainController'] = $isDc

    # D7: RDS deployment pieces. A local RD Licensing role counts only when it is activated and
    # holds real CAL packs (issue 7), so its state is read where the role is installed.
    $rds = New-RdpfixMap
    $rds['broker'] = $null
    $rds['webAccess'] = $null
    $rds['gateway'] = $null
    $rds['licensingRole'] = $null
    if ($null -ne $features) {
        $rds['broker'] = [bool]$features['RDS-Connection-Broker'].installed
        $rds['webAccess'] = [bool]$features['RDS-Web-Access'].installed
        $rds['gateway'] = [bool]$features['RDS-Gateway'].installed
        $rds['licensingRole'] = [bool]$features['RDS-Licensing'].installed
    }
    $rds['sessionDirectory'] = $null
    try {
        $rds['sessionDirectory'] = Get-RdpfixSessionDirectoryActive
    } catch {
        Set-RdpfixUnknown 'sd' $_
    }
    $rds['lsActivated'] = $null
    $rds['lsCalPacks'] = $null
    if ($rds['licensingRole'] -eq $true) {
        try {
            $lsState = Get-RdpfixLicenseServerState
            $rds['lsActivated'] = [bool]$lsState.activated
            $rds['lsCalPacks'] = [int]$lsState.packs
        } catch {
            Set-RdpfixUnknown 'ls' $_
        }
    }

    $pendingReboot = New-RdpfixMap
    $pendingReboot['cbs'] = $null
    $pendingReboot['wu'] = $null
    $pendingReboot['fileRename'] = $null
    try {
        $pendingReboot = Get-RdpfixPendingReboot
    } catch {
        Set-RdpfixUnknown 'reboot' $_
    }

    $termService = 'unknown'
    try {
        $termService = Get-RdpfixTermServiceState
    } catch {
        Set-RdpfixUnknown 'svc' $_
    }

    $listener = New-RdpfixMap
    $listener['up'] = $null
    $listener['port'] = 3389
    try {
        $l = Get-RdpfixListener
        $listener['up'] = [bool]$l.up
        $listener['port'] = [int]$l.port
    } catch {
        Set-RdpfixUnknown 'listener' $_
    }

    # Section 6: Windows Firewall must let the RDP port in (read only; rdpfix never changes it).
    $firewall = New-RdpfixMap
    $firewall['enabled'] = $null
    $firewall['rdpAllowed'] = $null
    try {
        $fw = Get-RdpfixFirewallState ([int]$listener['port'])
        $firewall['enabled'] = [bool]$fw.enabled
        $firewall['rdpAllowed'] = [bool]$fw.rdpAllowed
    } catch {
        Set-RdpfixUnknown 'fw' $_
    }

    # D11: RDP allowed at all (AllowTSConnections = 1 means fDenyTSConnections = 0).
    $denyValue = $null
    try {
        $wmiDeny = $null
        if ($null -ne $ts) {
            $allow = ConvertTo-RdpfixInt $ts.AllowTSConnections
            if ($null -ne $allow) { $wmiDeny = [int]($allow -eq 0) }
        }
        $denyValue = Get-RdpfixFlag $wmiDeny 'fDenyTSConnections' 'fDenyTSConnections'
        if ($null -eq $denyValue) { throw 'fDenyTSConnections not found' }
    } catch {
        $denyValue = $null
        Set-RdpfixUnknown 'deny' $_
    }
    $deny = New-RdpfixMap
    $deny['value'] = $denyValue
    $deny['source'] = Get-RdpfixSource $policy 'denyConnections'

    $sessions = $null
    $sessionsTruncated = $false
    try {
        $s = Get-RdpfixSessions
        $sessions = $s.rows
        $sessionsTruncated = [bool]$s.truncated
    } catch {
        Set-RdpfixUnknown 'sessions' $_
    }

    $facts = New-RdpfixMap
    $facts['os'] = $os
    $facts['bootTime'] = $bootTime
    $facts['rdsh'] = $rdshMap
    $facts['graceDays'] = $graceDays
    $facts['licensing'] = $licensing
    $facts['singleSession'] = $single
    $facts['domain'] = $domain
    $facts['rds'] = $rds
    $facts['pendingReboot'] = $pendingReboot
    $facts['termService'] = $termService
    $facts['listener'] = $listener
    $facts['firewall'] = $firewall
    $facts['denyConnections'] = $deny
    $facts['sessions'] = $sessions
    $facts['sessionsTruncated'] = $sessionsTruncated
    $facts['unknown'] = $script:RdpfixUnknown
    $facts['errors'] = Get-RdpfixErrors
    $facts['errorsDropped'] = $script:RdpfixErrorsDropped
    return , $facts
}
