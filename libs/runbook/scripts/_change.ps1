# ---------------------------------------------------------------------------------------------
# rdpfix change helpers (_change.ps1), included only by the scripts that change a server, after
# _common.ps1: parameters, registry writes and the licensing writers. diagnose and verify do not
# include this file, so they cannot write anything even by mistake.
# ---------------------------------------------------------------------------------------------

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

function Test-RdpfixStringListEqual($A, $B) {
    $a1 = @($A)
    $b1 = @($B)
    if ($a1.Count -ne $b1.Count) { return $false }
    for ($i = 0; $i -lt $a1.Count; $i++) {
        if ([string]$a1[$i] -ne [string]$b1[$i]) { return $false }
    }
    return $true
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

# ----------------------------------------------------------------------------- run-id guard
# Second line of defence of at-most-once (docs/at-most-once.md): a changing script refuses to act
# twice for the same run id. Right after its parameters, before it reads or changes anything, it
# creates <ProgramData>\rdpfix\runs\<runId>.run with CreateNew, which is atomic: of two deliveries
# of one command exactly one creates the file and acts; the other ends with ok = false,
# alreadyRan = true and an error starting with 'already_ran', having done nothing.
$script:RdpfixRunIdPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

function Assert-RdpfixFirstRun([string]$RunId) {
    $dir = Join-Path ([Environment]::GetFolderPath('CommonApplicationData')) 'rdpfix\runs'
    $path = Join-Path $dir ($RunId + '.run')
    $created = $false
    try {
        [void][System.IO.Directory]::CreateDirectory($dir)
        $fs = [System.IO.File]::Open($path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
        $fs.Close()
        $created = $true
    } catch {
        if (-not [System.IO.File]::Exists($path)) {
            Exit-RdpfixFailure ('cannot record the run id before acting: ' + (Get-RdpfixErrorText $_)) $null
        }
    }
    if (-not $created) {
        $r = New-RdpfixResult $false
        $r['alreadyRan'] = $true
        $r['runId'] = $RunId
        Exit-RdpfixFailure ('already_ran: run ' + $RunId + ' already acted on this server; nothing was done') $r
    }
}
