# ---------------------------------------------------------------------------------------------
# rdpfix shared prelude (_common.ps1). renderScript() puts this file right after the header line
# and the $RdpfixParams data line of every script.
#
# Rules for everything in libs/runbook/scripts (the tests check them):
#   * PowerShell 2.0 compatible: the same text runs on Server 2008 (WMF 2.0), 2008 R2 and 2012+.
#   * ASCII only: the guest agent may save the script without a BOM, and Windows PowerShell then
#     reads it in the ANSI code page.
#   * Parameters arrive only as data in $RdpfixParams (base64) and are validated again on the
#     server (_change.ps1, which only the changing scripts include).
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
$script:RdpfixErrorsDropped = 0
# Reads that failed: read name -> error text (the facts that came from them are reported null).
$script:RdpfixUnknown = New-Object System.Collections.Specialized.OrderedDictionary
# Caps that keep the result line far below the 2,500 characters the channel keeps (see tests).
$script:RdpfixMaxErrors = 2
$script:RdpfixMaxErrorChars = 80
$script:RdpfixMaxUnknownMessages = 4
$script:RdpfixMaxUnknownChars = 48
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

# The message of an ErrorRecord (or of anything else), whitespace collapsed.
function Get-RdpfixErrorText($ErrorRecord) {
    $msg = ''
    if ($null -ne $ErrorRecord) {
        if ($ErrorRecord -is [System.Management.Automation.ErrorRecord]) {
            $msg = [string]$ErrorRecord.Exception.Message
        } else {
            $msg = [string]$ErrorRecord
        }
    }
    return (($msg -replace '\s+', ' ').Trim())
}

# A non-fatal error that is not a fact of its own. Past the cap it is only counted.
function Add-RdpfixError([string]$Check, $ErrorRecord) {
    if ($script:RdpfixErrors.Count -ge $script:RdpfixMaxErrors) {
        $script:RdpfixErrorsDropped = $script:RdpfixErrorsDropped + 1
        return
    }
    $text = (($Check + ': ' + (Get-RdpfixErrorText $ErrorRecord)) -replace '\s+', ' ').Trim()
    [void]$script:RdpfixErrors.Add((Limit-RdpfixText $text $script:RdpfixMaxErrorChars))
}

function Get-RdpfixErrors {
    return , ($script:RdpfixErrors.ToArray())
}

# A read that failed: every fact that came from it is reported null ("unknown"), never a default.
# The first few keep their error text; later ones keep the name with an empty text (room).
function Set-RdpfixUnknown([string]$Read, $ErrorRecord) {
    if ($script:RdpfixUnknown.Contains($Read)) { return }
    $text = ''
    if ($script:RdpfixUnknown.Count -lt $script:RdpfixMaxUnknownMessages) {
        $text = Limit-RdpfixText (Get-RdpfixErrorText $ErrorRecord) $script:RdpfixMaxUnknownChars
    }
    $script:RdpfixUnknown[$Read] = $text
}

function Test-RdpfixUnknown([string]$Read) {
    return $script:RdpfixUnknown.Contains($Read)
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

# Parameters, registry writes and the licensing writers live in _change.ps1 (changing scripts only).

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

# Win32_ComputerSystem: DomainRole and PartOfDomain. Throws when WMI cannot answer.
function Get-RdpfixDomainInfo {
    $cs = Get-RdpfixFirst (Get-WmiObject -Class Win32_ComputerSystem -ErrorAction Stop)
    if ($null -eq $cs) { throw 'Win32_ComputerSystem has no instance' }
    $role = ConvertTo-RdpfixInt $cs.DomainRole
    if ($null -eq $role) { throw ('unexpected DomainRole ' + [string]$cs.DomainRole) }
    return @{ role = $role; partOfDomain = [bool]$cs.PartOfDomain }
}

# Domain controller: DomainRole 4/5 (when known) or ProductType LanmanNT. ProductType alone
# answers when WMI does not: LanmanNT = DC, ServerNT / WinNT = not a DC. $null = cannot tell.
function Test-RdpfixDomainController($Role) {
    if ($null -ne $Role -and $Role -ge 4) { return $true }
    $pt = Get-RdpfixRegValue $script:ProductOptionsKey 'ProductType'
    if ($pt.present) {
        $t = [string]$pt.value
        if ($t -eq 'LanmanNT') { return $true }
        if ($t -eq 'ServerNT' -or $t -eq 'WinNT') { return $false }
    }
    if ($null -ne $Role) { return $false }
    return $null
}

# The local RD license server (only where the RD Licensing role is installed): activated
# (Win32_TSLicenseServer.GetActivationStatus() = 0) and how many real CAL packs it holds
# (Win32_TSLicenseKeyPack; built-in packs and empty packs do not count).
function Get-RdpfixLicenseServerState {
    $cls = [wmiclass]'root\cimv2:Win32_TSLicenseServer'
    $out = Invoke-RdpfixWmiMethod $cls 'GetActivationStatus' $null
    Assert-RdpfixWmiSuccess $out 'GetActivationStatus'
    $status = ConvertTo-RdpfixInt (Get-RdpfixWmiOut $out 'ActivationStatus')
    if ($null -eq $status) { throw 'GetActivationStatus gave no ActivationStatus' }
    $packs = 0
    foreach ($kp in @(Get-WmiObject -Namespace root\cimv2 -Class Win32_TSLicenseKeyPack -ErrorAction Stop)) {
        if ($null -eq $kp) { continue }
        $label = [string]$kp.Description + ' ' + [string]$kp.TypeAndModel
        if ($label -match 'Built-in') { continue }
        $total = ConvertTo-RdpfixInt $kp.TotalLicenses
        if ($null -ne $total -and $total -le 0) { continue }
        $packs = $packs + 1
    }
    return @{ activated = ($status -eq 0); packs = $packs }
}

# True when a firewall LocalPorts value ("3389", "*", "3389,3390", "3000-4000") covers $Port.
function Test-RdpfixPortInList([string]$Ports, [int]$Port) {
    foreach ($part in $Ports.Split(',')) {
        $p = $part.Trim()
        if ($p -eq '*') { return $true }
        if ($p -cmatch '^[0-9]{1,5}$') {
            if ([int]$p -eq $Port) { return $true }
        } elseif ($p -cmatch '^([0-9]{1,5})-([0-9]{1,5})$') {
            if ($Port -ge [int]$matches[1] -and $Port -le [int]$matches[2]) { return $true }
        }
    }
    return $false
}

# Windows Firewall (HNetCfg.FwPolicy2, Server 2008+): on for an active profile, and whether an
# enabled inbound TCP rule of an active profile allows $Port with no enabled block rule covering it.
function Get-RdpfixFirewallState([int]$Port) {
    $fw = New-Object -ComObject HNetCfg.FwPolicy2
    $profiles = [int]$fw.CurrentProfileTypes
    $enabled = $false
    foreach ($p in @(1, 2, 4)) {
        if (($profiles -band $p) -ne 0 -and [bool]$fw.FirewallEnabled($p)) { $enabled = $true }
    }
    $allowed = $false
    $blocked = $false
    foreach ($rule in $fw.Rules) {
        if ($null -eq $rule -or -not [bool]$rule.Enabled) { continue }
        if ([int]$rule.Direction -ne 1) { continue }
        $proto = [int]$rule.Protocol
        if ($proto -ne 6 -and $proto -ne 256) { continue }
        if (([int]$rule.Profiles -band $profiles) -eq 0) { continue }
        if (-not (Test-RdpfixPortInList ([string]$rule.LocalPorts) $Port)) { continue }
        if ([int]$rule.Action -eq 1) { $allowed = $true } else { $blocked = $true }
    }
    return @{ enabled = $enabled; rdpAllowed = ($allowed -and -not $blocked) }
}

# True when remove-rdsh-role wrote its marker during the current boot (restart still outstanding).
function Test-RdpfixRemovalMarker([string]$BootTime) {
    $m = Get-RdpfixRegValue $script:RdpfixMarkerKey 'RdshRemovalBootTime'
    return ($m.present -and [string]$m.value -eq $BootTime)
}
