# ---------------------------------------------------------------------------------------------
# rdpfix field kit, shared part (_field-common.ps1). The runner puts it after the header and the
# $RdpfixFieldParams data line of every field script (field/runner/render.ts).
# PowerShell 2.0 compatible (Server 2008 R2 runs the kit too), ASCII only, read-only except the
# arrange scripts' own reversible changes. Output: key=value lines, then "RDPFIX-FIELD-END".
# ---------------------------------------------------------------------------------------------

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'

# key=value lines (UTF-8, base64 on line 2) into a hashtable; values stay data.
function Get-FieldParams {
    $map = @{}
    $encoded = [string]$RdpfixFieldParams
    if ($encoded.Length -eq 0) { return $map }
    $text = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($encoded))
    foreach ($line in ($text -split "`n")) {
        if ($line.Length -eq 0) { continue }
        $i = $line.IndexOf('=')
        if ($i -lt 1) { throw 'bad field parameters' }
        $map[$line.Substring(0, $i)] = $line.Substring($i + 1)
    }
    return $map
}

# One output line; non-ASCII is written as \uXXXX so any console code page keeps it.
function Write-FieldValue([string]$Key, $Value) {
    $sb = New-Object System.Text.StringBuilder
    foreach ($ch in ([string]$Value).ToCharArray()) {
        $c = [int]$ch
        if ($c -lt 32 -or $c -gt 126 -or $c -eq 92) { [void]$sb.Append('\u').Append($c.ToString('x4')) }
        else { [void]$sb.Append($ch) }
    }
    [Console]::Out.WriteLine($Key + '=' + $sb.ToString())
}

function Get-FieldTs {
    $all = Get-WmiObject -Namespace root\cimv2\TerminalServices -Class Win32_TerminalServiceSetting -Authentication PacketPrivacy -ErrorAction Stop
    foreach ($x in @($all)) {
        if ($null -ne $x) { return , $x }
    }
    throw 'Win32_TerminalServiceSetting has no instance'
}

function Get-FieldBootTime {
    $os = @(Get-WmiObject -Class Win32_OperatingSystem -ErrorAction Stop)[0]
    $t = [System.Management.ManagementDateTimeConverter]::ToDateTime([string]$os.LastBootUpTime)
    return $t.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

# RDS-RD-Server installed (2008: TS-Terminal-Server through ServerManagerCmd).
function Test-FieldRdshInstalled {
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

function Get-FieldRegValue([string]$Path, [string]$Name) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($Path, $false)
    if ($null -eq $key) { return $null }
    try {
        return $key.GetValue($Name, $null)
    } finally {
        $key.Close()
    }
}

# The configuration rdpfix may change, each value or 'unknown' when it cannot be read.
function Get-FieldState {
    $s = New-Object System.Collections.Specialized.OrderedDictionary
    $s['bootTime'] = 'unknown'
    try { $s['bootTime'] = Get-FieldBootTime } catch { $s['bootTime'] = 'unknown' }
    $s['rdshInstalled'] = 'unknown'
    try { $s['rdshInstalled'] = [string](Test-FieldRdshInstalled) } catch { $s['rdshInstalled'] = 'unknown' }
    $s['terminalServerMode'] = 'unknown'
    $s['licensingType'] = 'unknown'
    $s['singleSession'] = 'unknown'
    $s['servers'] = 'unknown'
    try {
        $ts = Get-FieldTs
        $s['terminalServerMode'] = [string]$ts.TerminalServerMode
        $s['licensingType'] = [string]$ts.LicensingType
        $s['singleSession'] = [string]$ts.SingleSession
        if ([int]$ts.TerminalServerMode -eq 1 -and [Environment]::OSVersion.Version.Minor -ge 1) {
            $out = $ts.GetSpecifiedLicenseServerList()
            $list = $out.SpecifiedLSList
            $names = New-Object System.Collections.ArrayList
            foreach ($n in @($list)) {
                if ($null -ne $n -and ([string]$n).Length -gt 0) { [void]$names.Add([string]$n) }
            }
            $s['servers'] = ($names.ToArray() -join ',')
        }
    } catch {
        $s['wmiError'] = $_.Exception.Message
    }
    $s['registryLicensingMode'] = [string](Get-FieldRegValue 'SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' 'LicensingMode')
    $s['registrySingleSession'] = [string](Get-FieldRegValue 'SYSTEM\CurrentControlSet\Control\Terminal Server' 'fSingleSessionPerUser')
    $s['rdpfixMarker'] = [string](Get-FieldRegValue 'SOFTWARE\rdpfix' 'RdshRemovalBootTime')
    $s['termService'] = 'unknown'
    try {
        $svc = Get-Service -Name TermService
        $s['termService'] = [string]$svc.Status
    } catch {
        $s['termService'] = 'unknown'
    }
    return , $s
}
