# ---------------------------------------------------------------------------------------------
# rdpfix facts collector (_facts.ps1), included by diagnose.ps1 and verify.ps1 after _common.ps1.
# Read-only: no registry writes and no Set*/Change* WMI methods. Checks follow rdp-licensing.md
# section 3 (D1-D12) and section 6. Each check has its own try/catch: a failed check keeps a
# default and adds one line to "errors" (at most 3 lines of at most 100 characters).
# The licensing grace-period key in the registry is never read, not even for its existence.
# ---------------------------------------------------------------------------------------------

$script:RdpfixMaxSessionRows = 10
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

# D12: Component Based Servicing, Windows Update and pending file renames.
function Test-RdpfixPendingReboot {
    if (Test-RdpfixRegKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') { return $true }
    if (Test-RdpfixRegKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') { return $true }
    $p = Get-RdpfixRegValue 'SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations'
    if ($p.present -and $null -ne $p.value) {
        foreach ($s in @($p.value)) {
            if (([string]$s).Length -gt 0) { return $true }
        }
    }
    return $false
}

function Get-RdpfixTermServiceState {
    $svc = Get-Service -Name TermService -ErrorAction Stop
    $status = [string]$svc.Status
    if ($status -eq 'Running') { return 'running' }
    if ($status -eq 'Stopped') { return 'stopped' }
    return 'unknown'
}

# Effective 0/1 of a setting: WMI value when available, else the policy value, else the local
# value, else the Windows default.
function Get-RdpfixFlag($WmiValue, [string]$PolicyName, [string]$LocalName, [int]$Default) {
    $n = ConvertTo-RdpfixInt $WmiValue
    if ($null -ne $n) {
        if ($n -ne 0) { return 1 }
        return 0
    }
    $p = Get-RdpfixRegFlag $script:TsPolicyKey $PolicyName
    if ($null -ne $p) { return $p }
    $l = Get-RdpfixRegFlag $script:TsKey $LocalName
    if ($null -ne $l) { return $l }
    return $Default
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
        Add-RdpfixError 'wmi' $_
    }

    # D2 and D7: the RDS features (ServerManager / ServerManagerCmd).
    $features = $null
    try {
        $features = Get-RdpfixFeatureStates
    } catch {
        Add-RdpfixError 'features' $_
    }

    $tsMode = 0
    if ($null -ne $ts -and (ConvertTo-RdpfixInt $ts.TerminalServerMode) -eq 1) { $tsMode = 1 }
    $installed = ($tsMode -eq 1)
    $featurePending = $false
    if ($null -ne $features) {
        $rdsh = $features['RDS-RD-Server']
        $installed = [bool]$rdsh.installed
        $featurePending = [bool]$rdsh.pending
    }
    $removalPending = $featurePending
    try {
        if (Test-RdpfixRemovalMarker $bootTime) { $removalPending = $true }
    } catch {
        Add-RdpfixError 'marker' $_
    }
    $rdshMap = New-RdpfixMap
    $rdshMap['installed'] = $installed
    $rdshMap['terminalServerMode'] = $tsMode
    $rdshMap['removalPending'] = $removalPending

    $policy = @{ licensingMode = $false; licenseServers = $false; singleSession = $false; denyConnections = $false }
    try {
        $policy = Get-RdpfixPolicyState $ts
    } catch {
        Add-RdpfixError 'policy' $_
    }

    # D3: grace days; only meaningful on an RD Session Host (the call may throw elsewhere).
    $graceDays = $null
    if ($null -ne $ts -and ($tsMode -eq 1 -or $installed)) {
        try {
            $out = Invoke-RdpfixWmiMethod $ts 'GetGracePeriodDays' $null
            Assert-RdpfixWmiSuccess $out 'GetGracePeriodDays'
            $graceDays = ConvertTo-RdpfixInt (Get-RdpfixWmiOut $out 'DaysLeft')
        } catch {
            Add-RdpfixError 'graceDays' $_
        }
    }

    # D4: licensing mode (WMI LicensingType; registry when WMI failed) and its source.
    $mode = $null
    if ($null -ne $ts) {
        $mode = ConvertTo-RdpfixModeCode $ts.LicensingType
        if ($null -eq $mode) { Add-RdpfixError 'licensingMode' ('unexpected LicensingType ' + [string]$ts.LicensingType) }
    }
    if ($null -eq $mode) {
        try {
            $pm = Get-RdpfixRegValue $script:TsPolicyKey 'LicensingMode'
            $pmode = ConvertTo-RdpfixModeCode $pm.value
            $lm = Get-RdpfixRegValue $script:LicensingCoreKey 'LicensingMode'
            $lmode = ConvertTo-RdpfixModeCode $lm.value
            if ($pm.present -and ($pmode -eq 2 -or $pmode -eq 4)) { $mode = $pmode }
            elseif ($null -ne $lmode) { $mode = $lmode }
        } catch {
            Add-RdpfixError 'licensingMode' $_
        }
    }
    if ($null -eq $mode) { $mode = 5 }
    $modeSource = 'local'
    if ($policy.licensingMode) { $modeSource = 'policy' }

    # D5: license servers (policy list wins) and, on 2008 R2+, reachability of each.
    $allServers = New-Object System.Collections.ArrayList
    $serversSource = 'local'
    try {
        if ($policy.licenseServers) {
            $serversSource = 'policy'
            $pv = Get-RdpfixRegValue $script:TsPolicyKey 'LicenseServers'
            if ($pv.present) {
                foreach ($part in ([string]$pv.value).Split(',')) {
                    $name = $part.Trim()
                    if ($name.Length -gt 0) { [void]$allServers.Add($name) }
                }
            }
        } else {
            $allServers = Get-RdpfixSpecifiedServers $ts
        }
    } catch {
        Add-RdpfixError 'licenseServers' $_
    }
    if ($allServers.Count -gt $script:RdpfixMaxServers) {
        Add-RdpfixError 'licenseServers' ([string]$allServers.Count + ' servers, first ' + [string]$script:RdpfixMaxServers + ' reported')
    }
    $servers = Limit-RdpfixServerList $allServers
    $reach = New-Object System.Collections.ArrayList
    if ($null -ne $ts -and $script:RdpfixOsLevel -ge 601 -and $tsMode -eq 1) {
        $i = 0
        foreach ($server in $allServers) {
            if ($i -ge $script:RdpfixMaxServers) { break }
            $status = -1
            try {
                $out = Invoke-RdpfixWmiMethod $ts 'GetTStoLSConnectivityStatus' @{ ServerName = [string]$server }
                Assert-RdpfixWmiSuccess $out 'GetTStoLSConnectivityStatus'
                $st = ConvertTo-RdpfixInt (Get-RdpfixWmiOut $out 'TStoLSConnectivityStatus')
                if ($null -ne $st) { $status = $st }
            } catch {
                Add-RdpfixError 'reachability' $_
            }
            $entry = New-RdpfixMap
            $entry['server'] = $servers[$i]
            $entry['status'] = $status
            [void]$reach.Add($entry)
            $i = $i + 1
        }
    }
    $licensing = New-RdpfixMap
    $licensing['mode'] = $mode
    $licensing['modeSource'] = $modeSource
    $licensing['servers'] = $servers
    $licensing['serversSource'] = $serversSource
    $licensing['reachability'] = $reach

    # D9: one session per user.
    $ssValue = 1
    try {
        $wmiSs = $null
        if ($null -ne $ts) { $wmiSs = $ts.SingleSession }
        $ssValue = Get-RdpfixFlag $wmiSs 'fSingleSessionPerUser' 'fSingleSessionPerUser' 1
    } catch {
        Add-RdpfixError 'singleSession' $_
    }
    $single = New-RdpfixMap
    $single['value'] = $ssValue
    $single['source'] = 'local'
    if ($policy.singleSession) { $single['source'] = 'policy' }

    # D8: domain role; when WMI fails, ProductType alone still identifies a DC.
    $domain = New-RdpfixMap
    try {
        $d = Get-RdpfixDomainInfo
        $domain['role'] = $d.role
        $domain['partOfDomain'] = $d.partOfDomain
        $domain['isDomainController'] = $d.isDomainController
    } catch {
        Add-RdpfixError 'domain' $_
        $pt = Get-RdpfixRegValue $script:ProductOptionsKey 'ProductType'
        $isDc = ($pt.present -and [string]$pt.value -eq 'LanmanNT')
        $domain['role'] = 3
        if ($isDc) { $domain['role'] = 5 }
        $domain['partOfDomain'] = $isDc
        $domain['isDomainController'] = $isDc
    }

    # D7: RDS deployment pieces.
    $rds = New-RdpfixMap
    $rds['broker'] = $false
    $rds['webAccess'] = $false
    $rds['gateway'] = $false
    $rds['licensingRole'] = $false
    if ($null -ne $features) {
        $rds['broker'] = [bool]$features['RDS-Connection-Broker'].installed
        $rds['webAccess'] = [bool]$features['RDS-Web-Access'].installed
        $rds['gateway'] = [bool]$features['RDS-Gateway'].installed
        $rds['licensingRole'] = [bool]$features['RDS-Licensing'].installed
    }
    $rds['sessionDirectory'] = $false
    try {
        $rds['sessionDirectory'] = Get-RdpfixSessionDirectoryActive
    } catch {
        Add-RdpfixError 'sessionDirectory' $_
    }

    $pendingReboot = $false
    try {
        $pendingReboot = Test-RdpfixPendingReboot
    } catch {
        Add-RdpfixError 'pendingReboot' $_
    }

    $termService = 'unknown'
    try {
        $termService = Get-RdpfixTermServiceState
    } catch {
        Add-RdpfixError 'termService' $_
    }

    $listener = New-RdpfixMap
    $listener['up'] = $false
    $listener['port'] = 3389
    try {
        $l = Get-RdpfixListener
        $listener['up'] = [bool]$l.up
        $listener['port'] = [int]$l.port
    } catch {
        Add-RdpfixError 'listener' $_
    }

    # D11: RDP allowed at all (AllowTSConnections = 1 means fDenyTSConnections = 0).
    $denyValue = 1
    try {
        $wmiDeny = $null
        if ($null -ne $ts) {
            $allow = ConvertTo-RdpfixInt $ts.AllowTSConnections
            if ($null -ne $allow) { $wmiDeny = [int]($allow -eq 0) }
        }
        $denyValue = Get-RdpfixFlag $wmiDeny 'fDenyTSConnections' 'fDenyTSConnections' 1
    } catch {
        Add-RdpfixError 'denyConnections' $_
    }
    $deny = New-RdpfixMap
    $deny['value'] = $denyValue
    $deny['source'] = 'local'
    if ($policy.denyConnections) { $deny['source'] = 'policy' }

    $sessions = New-Object System.Collections.ArrayList
    $sessionsTruncated = $false
    try {
        $s = Get-RdpfixSessions
        $sessions = $s.rows
        $sessionsTruncated = [bool]$s.truncated
    } catch {
        Add-RdpfixError 'sessions' $_
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
    $facts['denyConnections'] = $deny
    $facts['sessions'] = $sessions
    $facts['sessionsTruncated'] = $sessionsTruncated
    $facts['errors'] = Get-RdpfixErrors
    return , $facts
}
