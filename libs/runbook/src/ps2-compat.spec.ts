import { findPs3Constructs, maskPowerShell } from './ps2-compat';

const constructs = (src: string) => findPs3Constructs(src).map((f) => f.construct);

describe('findPs3Constructs', () => {
  it.each([
    ['$o | ConvertTo-Json -Compress', 'ConvertTo-Json / ConvertFrom-Json'],
    ['$o = $text | ConvertFrom-Json', 'ConvertTo-Json / ConvertFrom-Json'],
    ['$h = [ordered]@{ a = 1 }', '[ordered]'],
    ['$o = [PSCustomObject]@{ a = 1 }', '[pscustomobject]'],
    ['Get-CimInstance -ClassName Win32_OperatingSystem', 'CIM cmdlets'],
    ['Invoke-CimMethod -InputObject $x -MethodName ChangeMode', 'CIM cmdlets'],
    ['Test-NetConnection ls01 -Port 135', 'Test-NetConnection'],
    ['Get-NetTCPConnection -LocalPort 3389 -State Listen', 'Get-NetTCPConnection'],
    ['Invoke-WebRequest http://x', 'Invoke-RestMethod / Invoke-WebRequest'],
    ['Get-Service | ForEach-Object { $PSItem.Name }', '$PSItem'],
    ['$l = [System.Collections.ArrayList]::new()', '::new()'],
    ['if ($mode -in 2, 4) { }', '-in / -notin'],
    ['if ($mode -notin @(2, 4)) { }', '-in / -notin'],
    ['$a.Where({ $_ -gt 1 })', '.Where() / .ForEach()'],
    ['$a.ForEach({ $_ })', '.Where() / .ForEach()'],
    ['Get-Service | Where-Object Status -eq Running', 'simplified Where-Object syntax'],
    ['Get-Service | ? Status -eq Running', 'simplified Where-Object syntax'],
    ['Get-Service | where Name -like T*', 'simplified Where-Object syntax'],
    ['Get-Service | ForEach-Object Name', 'simplified ForEach-Object syntax'],
    ['Get-Service | % Name', 'simplified ForEach-Object syntax'],
    ['Get-Item x -ErrorAction Ignore', '-ErrorAction Ignore'],
    ['$x = 1 -shl 3', '-shl / -shr'],
    ['Invoke-Command -ScriptBlock { $using:x }', '$using:'],
    ['class Foo { }', 'class / enum / using (PowerShell 5)'],
    ['using namespace System.Text', 'class / enum / using (PowerShell 5)'],
    ['$t = Get-Content c:\\x.txt -Raw', 'Get-Content -Raw'],
    ["Set-Content x -Value 'a' -NoNewline", '-NoNewline'],
    ['Get-ChildItem C:\\ -File', 'Get-ChildItem -File / -Directory'],
    ['$here = $PSScriptRoot', '$PSScriptRoot / $PSCommandPath in a script'],
    ['if ([Environment]::Is64BitProcess) { }', '.NET 4 Environment.Is64BitProcess / Is64BitOperatingSystem'],
    ['[string]::IsNullOrWhiteSpace($s)', '.NET 4 String.IsNullOrWhiteSpace'],
    ['$a = $b ?? 1', 'PowerShell 7 operators (?? ?. && || ternary)'],
    ['git pull && git push', 'PowerShell 7 operators (?? ?. && || ternary)'],
    ['$names = (Get-WindowsFeature RDS*).Name', 'possible member enumeration on cmdlet output'],
    ['Get-WindowsFeature RDS-RD-Server', 'module auto-loading (ServerManager cmdlet without Import-Module ServerManager)'],
    ['Uninstall-WindowsFeature -Name RDS-RD-Server', 'module auto-loading (ServerManager cmdlet without Import-Module ServerManager)'],
    ['#Requires -Version 3.0\nWrite-Host hi', '#requires -version 3+'],
  ])('catches %j', (src, construct) => {
    expect(constructs(src)).toContain(construct);
  });

  it('reports 1-based line numbers', () => {
    const src = 'Write-Host a\n\n$x = [ordered]@{}\n';
    expect(findPs3Constructs(src)).toEqual([{ line: 3, construct: '[ordered]' }]);
  });

  it('accepts PowerShell 2.0 idioms', () => {
    const src = [
      'Import-Module ServerManager',
      '$f = Get-WindowsFeature -Name RDS-RD-Server',
      '$o = New-Object PSObject -Property @{ a = 1 }',
      '$d = New-Object System.Collections.Specialized.OrderedDictionary',
      'Get-Service | Where-Object { $_.Status -eq "Running" } | ForEach-Object { $_.Name }',
      'if (@(2, 4) -contains $mode) { }',
      'Get-WmiObject -Namespace root\\cimv2\\TerminalServices -Class Win32_TerminalServiceSetting -Authentication PacketPrivacy',
      '$x = "rdp-tcp#0"',
      '$i = $list.IndexOf("a") -as [int]',
      '$s = Get-Item x -ErrorAction SilentlyContinue',
      '$n = $names -join ","',
      '$t = $line -split "\\s+"',
    ].join('\n');
    expect(findPs3Constructs(src)).toEqual([]);
  });

  it('ignores comments and literal string text', () => {
    const src = [
      '# never use ConvertTo-Json or [ordered] here',
      '<# block: $PSItem -in Test-NetConnection #>',
      "$msg = 'ConvertTo-Json is PS3; so is -in and [ordered]'",
      '$msg2 = "no Get-CimInstance here, `"really`""',
      "$h = @'\nConvertFrom-Json && ??\n'@",
      'Write-Host $msg # trailing comment with ::new()',
    ].join('\n');
    expect(findPs3Constructs(src)).toEqual([]);
  });

  it('still checks code inside "$(...)" subexpressions', () => {
    expect(constructs('$s = "names: $((Get-Service | ConvertTo-Json))"')).toContain('ConvertTo-Json / ConvertFrom-Json');
  });

  it('masks without moving lines or offsets', () => {
    const src = "a # c\n'str'\n\"x$(b)y\"";
    const masked = maskPowerShell(src);
    expect(masked.length).toBe(src.length);
    expect(masked.split('\n')).toEqual(['a    ', "'   '", '" $(b) "']);
  });
});
