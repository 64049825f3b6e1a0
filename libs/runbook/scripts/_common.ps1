# ---------------------------------------------------------------------------------------------
# rdpfix shared prelude (_common.ps1). renderScript() puts this file right after the header line
# and the $RdpfixParams data line of every script.
#
# Rules for everything in libs/runbook/scripts (the tests check them):
#   * PowerShell 2.0 compatible: the same text runs on Server 2008 (WMF 2.0), 2008 R2 and 2012+.
#   * ASCII only: the guest agent may save the script without a BOM, and Windows PowerShell then
#     reads it in the ANSI code page.
#   * Parameters arrive only as data in $RdpfixParams (base64) and are validated again here.
#   * The last stdout line is one compact JSON object; the exit code is 0 when ok and 1 when not.
#     Never 3010 or 194: the SSM agent would reboot the machine and run the script again.
# This file only defines functions and preferences. Nothing runs until the body calls Start-Rdpfix.
# ---------------------------------------------------------------------------------------------

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# Warnings (e.g. "You must restart this server") would land on stdout before the result line.
$WarningPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

$script:RdpfixName = 'unknown'
$script:RdpfixVersion = 0
$script:RdpfixErrors = New-Object System.Collections.ArrayList
# Caps that keep the result line far below the 2,500 characters the channel keeps (see tests).
$script:RdpfixMaxErrors = 3
$script:RdpfixMaxErrorChars = 100
$script:RdpfixMaxMessageChars = 200
$script:RdpfixMaxServers = 3
$script:RdpfixMaxServerChars = 64
$script:RdpfixOsLevel = 0
$script:RdpfixOsBuild = 0
$script:RdpfixOsVersionText = ''
$script:RdpfixProductType = 3

$script:TsKey = 'SYSTEM\CurrentControlSet\Control\Terminal Server'
$script:TsPolicyKey = 'SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
$script:LicensingCoreKey = 'SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'
$script:LicenseServersKey = 'SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers'
$script:RdpTcpKey = 'SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp'
$script:ProductOptionsKey = 'SYSTEM\CurrentControlSet\Control\ProductOptions'
# rdpfix's own marker: boot time at which a role removal was left waiting for a restart.
$script:RdpfixMarkerKey = 'SOFTWARE\rdpfix'

# Any terminating error nobody caught still ends with a JSON line and exit code 1.
trap {
    Exit-RdpfixFailure ('unexpected error: ' + $_.Exception.Message) $null
}

# ----------------------------------------------------------------------------- lifecycle

function Start-Rdpfix([string]$Name, [int]$Version) {
    $script:RdpfixName = $Name
    $script:RdpfixVersion = $Version
    # A 32-bit host on 64-bit Windows sees HKLM\SOFTWARE through WOW6432Node and System32 as
    # SysWOW64, so its registry answers would be wrong: refuse instead of reporting them.
    if ([IntPtr]::Size -eq 4 -and -not [string]::IsNullOrEmpty($env:PROCESSOR_ARCHITEW6432)) {
        Exit-RdpfixFailure 'refused: 32-bit PowerShell on 64-bit Windows (registry redirection would give wrong answers); run the 64-bit powershell.exe' $null
    }
    Initialize-RdpfixOs
}

function Initialize-RdpfixOs {
    $v = [Environment]::OSVersion.Version
    $level = $v.Major * 100 + $v.Minor
    $build = $v.Build
    try {
        $os = Get-RdpfixFirst (Get-WmiObject -Class Win32_OperatingSystem -ErrorAction Stop)
        if ($null -ne $os) {
            $script:RdpfixProductType = [int]$os.ProductType
            # Without a compatibility manifest Windows reports an older version to the process;
            # WMI reports the real one, so prefer it when it is higher.
            $wv = [string]$os.Version
            if ($wv -match '^([0-9]+)\.([0-9]+)\.([0-9]+)') {
                $wl = [int]$matches[1] * 100 + [int]$matches[2]
                if ($wl -gt $level -or ($wl -eq $level -and [int]$matches[3] -gt $build)) {
                    $level = $wl
                    $build = [int]$matches[3]
                }
            }
        }
    } catch {
        Add-RdpfixError 'os' $_
    }
    $script:RdpfixOsLevel = $level
    $script:RdpfixOsBuild = $build
    $script:RdpfixOsVersionText = [string][int][Math]::Floor($level / 100) + '.' + [string]($level % 100) + '.' + [string]$build
}

function New-RdpfixMap {
    return , (New-Object System.Collections.Specialized.OrderedDictionary)
}

function New-RdpfixResult([bool]$Ok) {
    $r = New-RdpfixMap
    $r['script'] = $script:RdpfixName
    $r['version'] = $script:RdpfixVersion
    $r['ok'] = $Ok
    return , $r
}

function Exit-RdpfixResult($Result) {
    $line = ConvertTo-RdpfixJson $Result
    # The empty line first guarantees the JSON starts a line even if a tool left a partial one.
    [Console]::Out.WriteLine('')
    [Console]::Out.WriteLine($line)
    [Console]::Out.Flush()
    if ([bool]$Result['ok']) { exit 0 }
    exit 1
}

function Exit-RdpfixFailure([string]$Message, $Result) {
    if ($null -eq $Result) { $Result = New-RdpfixResult $false }
    $Result['ok'] = $false
    $Result['error'] = Limit-RdpfixText $Message $script:RdpfixMaxMessageChars
    Exit-RdpfixResult $Result
}

function Add-RdpfixError([string]$Check, $ErrorRecord) {
    if ($script:RdpfixErrors.Count -ge $script:RdpfixMaxErrors) { return }
    $msg = ''
    if ($null -ne $ErrorRecord) {
        if ($ErrorRecord -is [System.Management.Automation.ErrorRecord]) {
            $msg = [string]$ErrorRecord.Exception.Message
        } else {
            $msg = [string]$ErrorRecord
        }
    }
    $text = (($Check + ': ' + $msg) -replace '\s+', ' ').Trim()
    [void]$script:RdpfixErrors.Add((Limit-RdpfixText $text $script:RdpfixMaxErrorChars))
}

function Get-RdpfixErrors {
    return , ($script:RdpfixErrors.ToArray())
}

# ----------------------------------------------------------------------------- JSON, built by hand (PowerShell 2.0 has no JSON cmdlet)

# Longest prefix of $Text whose JSON-escaped form is at most $Max characters.
function Limit-RdpfixText([string]$Text, [int]$Max) {
    if ($null -eq $Text) { return '' }
    $cost = 0
    $i = 0
    while ($i -lt $Text.Length) {
        $c = [int]$Text[$i]
        $w = 1
        if ($c -eq 34 -or $c -eq 92) { $w = 2 }
        elseif ($c -lt 32 -or $c -gt 126) { $w = 6 }
        if ($cost + $w -gt $Max) { break }
        $cost = $cost + $w
        $i = $i + 1
    }
    if ($i -gt 0 -and $i -lt $Text.Length) {
        $last = [int]$Text[$i - 1]
        # Do not keep half of a surrogate pair.
        if ($last -ge 55296 -and $last -le 56319) { $i = $i - 1 }
    }
    return $Text.Substring(0, $i)
}

# Quotes and escapes a string; everything outside printable ASCII becomes \uXXXX so the line
# survives any console code page.
function ConvertTo-RdpfixJsonString([string]$Text) {
    $sb = New-Object System.Text.StringBuilder
    [void]$sb.Append('"')
    foreach ($ch in $Text.ToCharArray()) {
        $c = [int]$ch
        if ($c -eq 34) { [void]$sb.Append('\"') }
        elseif ($c -eq 92) { [void]$sb.Append('\\') }
        elseif ($c -lt 32 -or $c -gt 126) { [void]$sb.Append('\u').Append($c.ToString('x4')) }
        else { [void]$sb.Append($ch) }
    }
    [void]$sb.Append('"')
    return $sb.ToString()
}

function ConvertTo-RdpfixJson($Value) {
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [string]) { return (ConvertTo-RdpfixJsonString $Value) }
    if ($Value -is [char]) { return (ConvertTo-RdpfixJsonString ([string]$Value)) }
    if ($Value -is [bool]) {
        if ($Value) { return 'true' }
        return 'false'
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $parts = New-Object System.Collections.ArrayList
        foreach ($key in $Value.Keys) {
            [void]$parts.Add((ConvertTo-RdpfixJsonString ([string]$key)) + ':' + (ConvertTo-RdpfixJson $Value[$key]))
        }
        return ('{' + ($parts.ToArray() -join ',') + '}')
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $parts = New-Object System.Collections.ArrayList
        foreach ($item in $Value) { [void]$parts.Add((ConvertTo-RdpfixJson $item)) }
        return ('[' + ($parts.ToArray() -join ',') + ']')
    }
    if ($Value -is [System.Enum]) { return (ConvertTo-RdpfixJsonString ([string]$Value)) }
    $code = [int][Type]::GetTypeCode($Value.GetType())
    # TypeCode 5..15 = SByte..Decimal: a JSON number in invariant culture.
    if ($code -ge 5 -and $code -le 15) {
        return [Convert]::ToString($Value, [System.Globalization.CultureInfo]::InvariantCulture)
    }
    return (ConvertTo-RdpfixJsonString ([string]$Value))
}

# ----------------------------------------------------------------------------- parameters

# Decodes $RdpfixParams (base64 of UTF-8 "key=value" lines joined by LF) into a hashtable.
# Values stay data: they are never pasted into code or evaluated.
function Get-RdpfixParams {
    $map = @{}
    # Set on line 2 of the rendered script; [string] turns a missing variable into ''.
    $encoded = [string]$RdpfixParams
    if ($encoded.Length -eq 0) { return $map }
    try {
        $text = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($encoded))
    } catch {
        Exit-RdpfixFailure 'bad parameters: not base64' $null
    }
    foreach ($line in ($text -split "`n")) {
        if ($line.Length -eq 0) { continue }
        $i = $line.IndexOf('=')
        if ($i -lt 1) { Exit-RdpfixFailure 'bad parameters: a line without key=value' $null }
        $map[$line.Substring(0, $i)] = $line.Substring($i + 1)
    }
    return $map
}

# Returns the parameter when it matches the case-sensitive pattern; otherwise ends the script.
function Get-RdpfixParam([hashtable]$Params, [string]$Key, [string]$Pattern) {
    if (-not $Params.ContainsKey($Key)) { Exit-RdpfixFailure ('bad parameters: ' + $Key + ' is missing') $null }
    $value = [string]$Params[$Key]
    if ($value -cnotmatch $Pattern) { Exit-RdpfixFailure ('bad parameters: ' + $Key + ' is not valid') $null }
    return $value
}

# Host name, FQDN or IPv4 address; nothing else can reach WMI or the registry as a server name.
# At most RdpfixMaxServerChars, so that a configured name is never cut in a result.
function Test-RdpfixServerName([string]$Name) {
    if ($null -eq $Name -or $Name.Length -lt 1 -or $Name.Length -gt $script:RdpfixMaxServerChars) { return $false }
    if ($Name -cmatch '^[0-9]{1,3}(\.[0-9]{1,3}){3}$') {
        foreach ($octet in $Name.Split('.')) {
            if ([int]$octet -gt 255) { return $false }
        }
        return $true
    }
    # NetBIOS names may contain '_'; nothing here can separate or quote anything.
    return ($Name -cmatch '^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$')
}

# servers=a,b parameter: a list of valid names (possibly empty), at most RdpfixMaxServers.
function Get-RdpfixServerParam([hashtable]$Params, [bool]$AllowEmpty) {
    if (-not $Params.ContainsKey('servers')) { Exit-RdpfixFailure 'bad parameters: servers is missing' $null }
    $list = New-Object System.Collections.ArrayList
    $raw = [string]$Params['servers']
    if ($raw.Length -gt 0) {
        foreach ($part in $raw.Split(',')) {
            $name = $part.Trim()
            if (-not (Test-RdpfixServerName $name)) { Exit-RdpfixFailure 'bad parameters: servers contains an invalid name' $null }
            [void]$list.Add($name)
        }
    }
    if ($list.Count -eq 0 -and -not $AllowEmpty) { Exit-RdpfixFailure 'bad parameters: servers is empty' $null }
    if ($list.Count -gt $script:RdpfixMaxServers) { Exit-RdpfixFailure 'bad parameters: too many servers' $null }
    return , $list
}

# ----------------------------------------------------------------------------- small helpers

function Get-RdpfixFirst($Items) {
    foreach ($x in @($Items)) {
        if ($null -ne $x) { return , $x }
    }
    return $null
}

function ConvertTo-RdpfixInt($Value) {
    if ($null -eq $Value) { return $null }
    if ($Value -is [int]) { return $Value }
    if ($Value -is [uint32] -or $Value -is [long] -or $Value -is [byte] -or $Value -is [int16] -or $Value -is [uint16]) { return [int]$Value }
    if ($Value -is [bool]) {
        if ($Value) { return 1 }
        return 0
    }
    $s = ([string]$Value).Trim()
    if ($s -cmatch '^-?[0-9]{1,9}$') { return [int]$s }
    return $null
}

function Test-RdpfixStringListEqual($A, $B) {
    $a1 = @($A)
    $b1 = @($B)
    if ($a1.Count -ne $b1.Count) { return $false }
    for ($i = 0; $i -lt $a1.Count; $i++) {
        if ([string]$a1[$i] -ne [string]$b1[$i]) { return $false }
    }
    return $true
}

# Runs a console tool and returns @{ exitCode; stdout; stderr } (stdout/stderr as ArrayLists).
function Invoke-RdpfixNative([string]$FilePath, [string[]]$ArgumentList) {
    # Local preference: with 'Stop', a redirected stderr line of a native tool becomes a
    # terminating error in Windows PowerShell.
    $ErrorActionPreference = 'Continue'
    if (-not (Test-Path -LiteralPath $FilePath)) { throw ('not found: ' + $FilePath) }
    $stdout = New-Object System.Collections.ArrayList
    $stderr = New-Object System.Collections.ArrayList
    if ($null -eq $ArgumentList -or $ArgumentList.Length -eq 0) {
        $raw = & $FilePath 2>&1
    } else {
        $raw = & $FilePath $ArgumentList 2>&1
    }
    $code = $LASTEXITCODE
    foreach ($item in @($raw)) {
        if ($null -eq $item) { continue }
        if ($item -is [System.Management.Automation.ErrorRecord]) {
            [void]$stderr.Add($item.ToString())
        } else {
            [void]$stdout.Add([string]$item)
        }
    }
    return @{ exitCode = $code; stdout = $stdout; stderr = $stderr }
}

# quser and qwinsta exist only in the 64-bit System32; a 32-bit host must
# use Sysnative. (Start-Rdpfix refuses that host, but the path logic stays correct.)
function Get-RdpfixSystemExe([string]$Name) {
    $dir = Join-Path $env:windir 'System32'
    if ([IntPtr]::Size -eq 4 -and -not [string]::IsNullOrEmpty($env:PROCESSOR_ARCHITEW6432)) {
        $dir = Join-Path $env:windir 'Sysnative'
    }
    return (Join-Path $dir $Name)
}

# ----------------------------------------------------------------------------- registry (.NET API, HKLM only)

function Get-RdpfixRegValue([string]$Path, [string]$Name) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($Path, $false)
    if ($null -eq $key) { return @{ present = $false; value = $null } }
    try {
        if (-not ($key.GetValueNames() -contains $Name)) { return @{ present = $false; value = $null } }
        $v = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        return @{ present = $true; value = $v }
    } finally {
        $key.Close()
    }
}

function Test-RdpfixRegKey([string]$Path) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($Path, $false)
    if ($null -eq $key) { return $false }
    $key.Close()
    return $true
}

function Get-RdpfixRegSubKeyNames([string]$Path) {
    $names = New-Object System.Collections.ArrayList
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($Path, $false)
    if ($null -eq $key) { return , $names }
    try {
        foreach ($n in $key.GetSubKeyNames()) { [void]$names.Add([string]$n) }
    } finally {
        $key.Close()
    }
    return , $names
}

function Set-RdpfixRegValue([string]$Path, [string]$Name, $Value, [Microsoft.Win32.RegistryValueKind]$Kind) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.CreateSubKey($Path)
    if ($null -eq $key) { throw ('cannot open HKLM\' + $Path) }
    try {
        $key.SetValue($Name, $Value, $Kind)
    } finally {
        $key.Close()
    }
}

function Remove-RdpfixRegValue([string]$Path, [string]$Name) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($Path, $true)
    if ($null -eq $key) { return }
    try {
        if ($key.GetValueNames() -contains $Name) { $key.DeleteValue($Name) }
    } finally {
        $key.Close()
    }
}

# A DWORD value as 0/1 (nonzero = 1), or $null when absent or not a number.
function Get-RdpfixRegFlag([string]$Path, [string]$Name) {
    $r = Get-RdpfixRegValue $Path $Name
    if (-not $r.present) { return $null }
    $n = ConvertTo-RdpfixInt $r.value
    if ($null -eq $n) { return $null }
    if ($n -ne 0) { return 1 }
    return 0
}

# ----------------------------------------------------------------------------- WMI

# The TerminalServices namespace needs packet privacy (authentication level 6).
function Get-RdpfixTsSetting {
    $all = Get-WmiObject -Namespace root\cimv2\TerminalServices -Class Win32_TerminalServiceSetting -Authentication PacketPrivacy -ErrorAction Stop
    $ts = Get-RdpfixFirst $all
    if ($null -eq $ts) { throw 'Win32_TerminalServiceSetting has no instance' }
    return , $ts
}

# The fix scripts' shared opening: the Win32_TerminalServiceSetting object, or a failed result.
function Get-RdpfixTsSettingOrExit($Result) {
    $ts = $null
    try {
        $ts = Get-RdpfixTsSetting
    } catch {
        Exit-RdpfixFailure ('wmi: ' + $_.Exception.Message) $Result
    }
    return , $ts
}

# Licensing set by Group Policy would be reverted at the next refresh: never write it locally.
function Assert-RdpfixLicensingNotPolicy($Policy, $Result) {
    if ($Policy.licensingMode -or $Policy.licenseServers) {
        Exit-RdpfixFailure 'refused: Group Policy controls RD licensing (mode or license servers); change the policy instead' $Result
    }
}

# Calls a WMI method through the .NET object so that arrays and out parameters are passed
# exactly, and returns the out-parameters object.
function Invoke-RdpfixWmiMethod($Object, [string]$Method, [hashtable]$Arguments) {
    $in = $null
    if ($null -ne $Arguments -and $Arguments.Count -gt 0) {
        $in = $Object.psbase.GetMethodParameters($Method)
        foreach ($k in $Arguments.Keys) { $in.psbase.SetPropertyValue([string]$k, $Arguments[$k]) }
    }
    $out = $Object.psbase.InvokeMethod($Method, $in, $null)
    if ($null -eq $out) { throw ($Method + ' returned no result') }
    return , $out
}

function Get-RdpfixWmiOut($Out, [string]$Name) {
    return $Out.psbase.GetPropertyValue($Name)
}

# Throws unless the method's ReturnValue is 0.
function Assert-RdpfixWmiSuccess($Out, [string]$Method) {
    $rv = ConvertTo-RdpfixInt (Get-RdpfixWmiOut $Out 'ReturnValue')
    if ($rv -ne 0) { throw ($Method + ' returned ' + [string]$rv) }
}

function Get-RdpfixBootTime {
    $os = Get-RdpfixFirst (Get-WmiObject -Class Win32_OperatingSystem -ErrorAction Stop)
    if ($null -eq $os) { throw 'Win32_OperatingSystem has no instance' }
    $local = [System.Management.ManagementDateTimeConverter]::ToDateTime([string]$os.LastBootUpTime)
    return $local.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

# LicensingType as a LicensingModeCode (1, 2, 4, 5) or $null.
function ConvertTo-RdpfixModeCode($Value) {
    $n = ConvertTo-RdpfixInt $Value
    if ($null -ne $n -and (@(1, 2, 4, 5) -contains $n)) { return $n }
    return $null
}

# Which licensing and session settings Group Policy controls: the WMI PolicySource* flags
# (1 = Group Policy) or a value under the policy key. $Ts may be $null when WMI failed.
function Get-RdpfixPolicyState($Ts) {
    $state = @{ licensingMode = $false; licenseServers = $false; singleSession = $false; denyConnections = $false }
    if ($null -ne $Ts) {
        if ((ConvertTo-RdpfixInt $Ts.PolicySourceLicensingType) -eq 1) { $state.licensingMode = $true }
        if ((ConvertTo-RdpfixInt $Ts.PolicySourceConfiguredLicenseServers) -eq 1) { $state.licenseServers = $true }
        if ((ConvertTo-RdpfixInt $Ts.PolicySourceSingleSession) -eq 1) { $state.singleSession = $true }
        if ((ConvertTo-RdpfixInt $Ts.PolicySourceAllowTSConnections) -eq 1) { $state.denyConnections = $true }
    }
    $lm = Get-RdpfixRegValue $script:TsPolicyKey 'LicensingMode'
    if ($lm.present) { $state.licensingMode = $true }
    $ls = Get-RdpfixRegValue $script:TsPolicyKey 'LicenseServers'
    if ($ls.present -and ([string]$ls.value).Trim().Length -gt 0) { $state.licenseServers = $true }
    $ss = Get-RdpfixRegValue $script:TsPolicyKey 'fSingleSessionPerUser'
    if ($ss.present) { $state.singleSession = $true }
    $dc = Get-RdpfixRegValue $script:TsPolicyKey 'fDenyTSConnections'
    if ($dc.present) { $state.denyConnections = $true }
    return $state
}

# Non-policy license server list. 2008 R2+: WMI GetSpecifiedLicenseServerList. 2008: the
# SpecifiedLicenseServers value, plus the older one-subkey-per-server form.
function Get-RdpfixSpecifiedServers($Ts) {
    $list = New-Object System.Collections.ArrayList
    if ($script:RdpfixOsLevel -ge 601) {
        $out = Invoke-RdpfixWmiMethod $Ts 'GetSpecifiedLicenseServerList' $null
        Assert-RdpfixWmiSuccess $out 'GetSpecifiedLicenseServerList'
        $arr = Get-RdpfixWmiOut $out 'SpecifiedLSList'
        if ($null -ne $arr) {
            foreach ($s in $arr) {
                $name = ([string]$s).Trim()
                if ($name.Length -gt 0) { [void]$list.Add($name) }
            }
        }
    } else {
        $v = Get-RdpfixRegValue $script:LicenseServersKey 'SpecifiedLicenseServers'
        if ($v.present -and $null -ne $v.value) {
            foreach ($s in @($v.value)) {
                $name = ([string]$s).Trim()
                if ($name.Length -gt 0) { [void]$list.Add($name) }
            }
        }
        foreach ($sub in (Get-RdpfixRegSubKeyNames $script:LicenseServersKey)) {
            if ($sub -ne 'SpecifiedLicenseServers' -and -not ($list -contains $sub)) { [void]$list.Add($sub) }
        }
    }
    return , $list
}

# Writes the non-policy license server list (replaces it; an empty list clears it).
function Set-RdpfixSpecifiedServers($Ts, $Servers) {
    $arr = [string[]]@($Servers.ToArray())
    if ($script:RdpfixOsLevel -ge 601) {
        if ($arr.Length -eq 0) {
            $out = Invoke-RdpfixWmiMethod $Ts 'EmptySpecifiedLicenseServerList' $null
            Assert-RdpfixWmiSuccess $out 'EmptySpecifiedLicenseServerList'
        } else {
            $out = Invoke-RdpfixWmiMethod $Ts 'SetSpecifiedLicenseServerList' @{ SpecifiedLSList = $arr }
            Assert-RdpfixWmiSuccess $out 'SetSpecifiedLicenseServerList'
        }
    } else {
        # 2008 has no list methods: the REG_MULTI_SZ value is the documented non-policy store.
        if ($arr.Length -eq 0) {
            Remove-RdpfixRegValue $script:LicenseServersKey 'SpecifiedLicenseServers'
        } else {
            Set-RdpfixRegValue $script:LicenseServersKey 'SpecifiedLicenseServers' $arr ([Microsoft.Win32.RegistryValueKind]::MultiString)
        }
    }
}

# Current non-policy licensing configuration: @{ mode = 1|2|4|5 or $null; servers = ArrayList }.
function Get-RdpfixLicensingConfig($Ts) {
    $mode = ConvertTo-RdpfixModeCode $Ts.LicensingType
    $servers = Get-RdpfixSpecifiedServers $Ts
    return @{ mode = $mode; servers = $servers }
}

# Server names as reported in results: at most RdpfixMaxServers, each cut to RdpfixMaxServerChars.
function Limit-RdpfixServerList($Servers) {
    $out = New-Object System.Collections.ArrayList
    foreach ($s in @($Servers)) {
        if ($null -eq $s) { continue }
        if ($out.Count -ge $script:RdpfixMaxServers) { break }
        [void]$out.Add((Limit-RdpfixText ([string]$s) $script:RdpfixMaxServerChars))
    }
    return , $out
}

# ----------------------------------------------------------------------------- roles and domain

# The RDS features, by their 2008 R2+ names. 2008 reports the TS-* ids of ServerManagerCmd.
$script:RdpfixFeatureNames = @('RDS-RD-Server', 'RDS-Connection-Broker', 'RDS-Web-Access', 'RDS-Gateway', 'RDS-Licensing')
$script:RdpfixFeatureIds2008 = @{
    'TS-Terminal-Server' = 'RDS-RD-Server'
    'TS-Session-Broker'  = 'RDS-Connection-Broker'
    'TS-Web-Access'      = 'RDS-Web-Access'
    'TS-Gateway'         = 'RDS-Gateway'
    'TS-Licensing'       = 'RDS-Licensing'
}

# Returns a hashtable: feature name -> @{ installed = bool; pending = bool }.
# 'pending' = removal done, restart outstanding (InstallState, 2012+). Such a feature still counts
# as installed: it stays in effect until the restart.
function Get-RdpfixFeatureStates {
    $states = @{}
    foreach ($n in $script:RdpfixFeatureNames) { $states[$n] = @{ installed = $false; pending = $false } }
    if ($script:RdpfixOsLevel -ge 601) {
        # PowerShell 2.0 has no module auto-loading.
        Import-Module ServerManager -ErrorAction Stop
        $features = Get-WindowsFeature -Name $script:RdpfixFeatureNames -ErrorAction Stop
        foreach ($f in @($features)) {
            if ($null -eq $f) { continue }
            $name = [string]$f.Name
            if (-not $states.ContainsKey($name)) { continue }
            $installState = ''
            if ($null -ne $f.PSObject.Properties['InstallState']) { $installState = [string]$f.InstallState }
            $pending = ($installState -match 'UninstallPending') -or ($installState -match 'Remov' -and $installState -match 'Pending')
            $states[$name] = @{ installed = ([bool]$f.Installed -or $pending); pending = $pending }
        }
    } else {
        $r = Invoke-RdpfixNative (Get-RdpfixSystemExe 'ServerManagerCmd.exe') @('-query')
        if ($r.exitCode -ne 0) { throw ('ServerManagerCmd -query exit code ' + [string]$r.exitCode) }
        foreach ($line in $r.stdout) {
            # "[X] Terminal Server  [TS-Terminal-Server]": the marker and the id are not localized.
            if ($line -cmatch '^\s*\[X\].*\[(TS-[A-Za-z-]+)\]\s*$') {
                $id = $matches[1]
                if ($script:RdpfixFeatureIds2008.ContainsKey($id)) {
                    $states[$script:RdpfixFeatureIds2008[$id]] = @{ installed = $true; pending = $false }
                }
            }
        }
    }
    return $states
}

# True when a WMI error only says the class or namespace does not exist on this server.
function Test-RdpfixWmiMissing($ErrorRecord) {
    $e = $ErrorRecord.Exception
    while ($null -ne $e) {
        if ($e -is [System.Management.ManagementException]) {
            $c = [string]$e.ErrorCode
            return ($c -eq 'InvalidClass' -or $c -eq 'NotFound' -or $c -eq 'InvalidNamespace')
        }
        $e = $e.InnerException
    }
    return $false
}

function Get-RdpfixSessionDirectoryActive {
    try {
        $all = Get-WmiObject -Namespace root\cimv2\TerminalServices -Class Win32_TSSessionDirectory -Authentication PacketPrivacy -ErrorAction Stop
    } catch {
        # No such class on this build: no session directory either.
        if (Test-RdpfixWmiMissing $_) { return $false }
        throw
    }
    foreach ($sd in @($all)) {
        if ($null -eq $sd) { continue }
        if ((ConvertTo-RdpfixInt $sd.SessionDirectoryActive) -eq 1) { return $true }
    }
    return $false
}

function Get-RdpfixDomainInfo {
    $cs = Get-RdpfixFirst (Get-WmiObject -Class Win32_ComputerSystem -ErrorAction Stop)
    if ($null -eq $cs) { throw 'Win32_ComputerSystem has no instance' }
    $role = [int]$cs.DomainRole
    $partOfDomain = [bool]$cs.PartOfDomain
    $pt = Get-RdpfixRegValue $script:ProductOptionsKey 'ProductType'
    # DomainRole 4/5 = backup/primary DC; ProductType LanmanNT = DC.
    $isDc = ($role -ge 4) -or ($pt.present -and [string]$pt.value -eq 'LanmanNT')
    return @{ role = $role; partOfDomain = $partOfDomain; isDomainController = $isDc }
}

# True when remove-rdsh-role wrote its marker during the current boot (restart still outstanding).
function Test-RdpfixRemovalMarker([string]$BootTime) {
    $m = Get-RdpfixRegValue $script:RdpfixMarkerKey 'RdshRemovalBootTime'
    return ($m.present -and [string]$m.value -eq $BootTime)
}
