# Rdpfix.Field.Tests.ps1: what no simulator can prove, checked on a real Windows test VM after
# the field runner let rdpfix work on it (docs/field-validation.md). Pester 3.4 / 4.x syntax
# ("Should Be"), PowerShell 2.0 compatible, read-only.
# Parameters (from run-pester.ps1): Scenario; BeforeData = key=value lines of snapshot-state.ps1
# taken before rdpfix ran; ExpectData = key=value expectations of the scenario.
param(
    [string]$Scenario,
    [string]$BeforeData,
    [string]$ExpectData
)

function ConvertFrom-FieldLines([string]$Text) {
    $map = @{}
    foreach ($line in ($Text -split "`r?`n")) {
        $i = $line.IndexOf('=')
        if ($i -lt 1) { continue }
        $map[$line.Substring(0, $i)] = [regex]::Unescape($line.Substring($i + 1))
    }
    return $map
}

function Get-FieldTsNow {
    return @(Get-WmiObject -Namespace root\cimv2\TerminalServices -Class Win32_TerminalServiceSetting -Authentication PacketPrivacy -ErrorAction Stop)[0]
}

function Get-FieldBootNow {
    $os = @(Get-WmiObject -Class Win32_OperatingSystem -ErrorAction Stop)[0]
    $t = [System.Management.ManagementDateTimeConverter]::ToDateTime([string]$os.LastBootUpTime)
    return $t.ToUniversalTime()
}

function Test-FieldRdshNow {
    $v = [Environment]::OSVersion.Version
    if ($v.Major -eq 6 -and $v.Minor -eq 0) {
        $out = & (Join-Path $env:windir 'System32\ServerManagerCmd.exe') -query 2>&1
        foreach ($line in @($out)) {
            if ([string]$line -match '^\s*\[X\].*\[TS-Terminal-Server\]') { return $true }
        }
        return $false
    }
    Import-Module ServerManager
    $f = @(Get-WindowsFeature -Name RDS-RD-Server)[0]
    return [bool]$f.Installed
}

function Get-FieldServersNow($Ts) {
    $names = New-Object System.Collections.ArrayList
    $out = $Ts.GetSpecifiedLicenseServerList()
    foreach ($n in @($out.SpecifiedLSList)) {
        if ($null -ne $n -and ([string]$n).Length -gt 0) { [void]$names.Add([string]$n) }
    }
    return ($names.ToArray() -join ',')
}

# True when the boot time moved by more than the 120 s rdpfix tolerates for clock steps.
function Test-FieldRestarted([string]$BeforeBoot) {
    $style = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
    $b = [DateTime]::ParseExact($BeforeBoot, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture, $style)
    return ([Math]::Abs(((Get-FieldBootNow) - $b).TotalSeconds) -gt 120)
}

function Test-FieldListener {
    $out = & (Join-Path $env:windir 'System32\qwinsta.exe') 2>&1
    foreach ($line in @($out)) {
        $tokens = @(([string]$line).Trim() -split '\s+')
        if ($tokens.Count -gt 0 -and $tokens[0].TrimStart('>') -eq 'rdp-tcp') { return $true }
    }
    return $false
}

$before = ConvertFrom-FieldLines $BeforeData
$expect = ConvertFrom-FieldLines $ExpectData

if ($Scenario -match '^licensed-untouched') {
    Describe "rdpfix leaves a licensed Session Host alone ($Scenario)" {
        It 'keeps the RD Session Host role' {
            Test-FieldRdshNow | Should Be $true
        }
        It 'keeps the licensing mode' {
            $ts = Get-FieldTsNow
            [string]$ts.LicensingType | Should Be $before['licensingType']
        }
        It 'keeps the license server list' {
            Get-FieldServersNow (Get-FieldTsNow) | Should Be $before['servers']
        }
        It 'keeps the single-session setting' {
            $ts = Get-FieldTsNow
            [string]$ts.SingleSession | Should Be $before['singleSession']
        }
        It 'did not restart the server' {
            Test-FieldRestarted $before['bootTime'] | Should Be $false
        }
        It 'left no role-removal marker' {
            $m = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\rdpfix', $false)
            $value = $null
            if ($null -ne $m) {
                $value = $m.GetValue('RdshRemovalBootTime', $null)
                $m.Close()
            }
            [string]$value | Should Be ([string]$before['rdpfixMarker'])
        }
    }
}

if ($Scenario -eq 'lockout-repair') {
    Describe 'rdpfix repaired a licensing lockout by removing the RD Session Host role' {
        It 'removed the role' {
            Test-FieldRdshNow | Should Be $false
        }
        It 'is back to Remote Desktop for Administration (TerminalServerMode 0)' {
            $ts = Get-FieldTsNow
            [int]$ts.TerminalServerMode | Should Be 0
        }
        It 'restarted the server' {
            Test-FieldRestarted $before['bootTime'] | Should Be $true
        }
        It 'runs TermService' {
            $svc = Get-Service -Name TermService
            [string]$svc.Status | Should Be 'Running'
        }
        It 'has the RDP-Tcp listener' {
            Test-FieldListener | Should Be $true
        }
        It 'lets RDP through the Windows Firewall' {
            $fw = New-Object -ComObject HNetCfg.FwPolicy2
            $open = $false
            foreach ($rule in $fw.Rules) {
                if ([bool]$rule.Enabled -and [int]$rule.Direction -eq 1 -and [int]$rule.Action -eq 1 -and ([string]$rule.LocalPorts -eq '3389' -or [string]$rule.LocalPorts -eq '*')) { $open = $true }
            }
            $on = $false
            foreach ($p in @(1, 2, 4)) {
                if (([int]$fw.CurrentProfileTypes -band $p) -ne 0 -and [bool]$fw.FirewallEnabled($p)) { $on = $true }
            }
            ($open -or -not $on) | Should Be $true
        }
    }
}

if ($Scenario -eq 'licensing-configured') {
    Describe 'rdpfix configured licensing as requested' {
        It 'set the licensing mode' {
            $ts = Get-FieldTsNow
            [string]$ts.LicensingType | Should Be $expect['licensingType']
        }
        It 'listed the license server' {
            (',' + (Get-FieldServersNow (Get-FieldTsNow)) + ',').ToLower().Contains(',' + $expect['server'].ToLower() + ',') | Should Be $true
        }
        It 'reaches the license server as valid (11, 1, 2 or 9)' {
            $ts = Get-FieldTsNow
            $res = $ts.GetTStoLSConnectivityStatus($expect['server'])
            $st = [int]$res.TsToLsConnectivityStatus
            @(11, 1, 2, 9) -contains $st | Should Be $true
        }
        It 'did not restart the server' {
            Test-FieldRestarted $before['bootTime'] | Should Be $false
        }
    }
}

if ($Scenario -eq 'licensing-restored') {
    Describe 'rdpfix rolled the licensing configuration back' {
        It 'put the license server list back' {
            Get-FieldServersNow (Get-FieldTsNow) | Should Be $before['servers']
        }
        It 'put the licensing mode back in the registry' {
            $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core', $false)
            [string]$key.GetValue('LicensingMode', $null) | Should Be $before['registryLicensingMode']
            $key.Close()
        }
        It 'WMI LicensingType shows the old mode, or rdpfix said a restart is needed' {
            $ts = Get-FieldTsNow
            $now = [string]$ts.LicensingType
            (($now -eq $before['licensingType']) -or ($expect['restartNeeded'] -eq 'true')) | Should Be $true
        }
    }
}

if ($Scenario -eq 'quser-names') {
    Describe 'quser shows localized and Chinese user names as rdpfix reads them' {
        $out = @(& (Join-Path $env:windir 'System32\quser.exe') 2>&1) -join "`n"
        $i = 1
        while ($expect.ContainsKey('account.' + [string]$i)) {
            $name = $expect['account.' + [string]$i]
            It ('lists ' + $name) {
                $out.Contains($name) | Should Be $true
            }
            $i = $i + 1
        }
    }
}

if ($Scenario -eq 'restart-timing') {
    Describe 'after the restart, TermService and the listener came up and rdpfix verified' {
        It 'restarted the server' {
            Test-FieldRestarted $before['bootTime'] | Should Be $true
        }
        It 'runs TermService now' {
            $svc = Get-Service -Name TermService
            [string]$svc.Status | Should Be 'Running'
        }
        It 'has the RDP-Tcp listener now' {
            Test-FieldListener | Should Be $true
        }
    }
}
