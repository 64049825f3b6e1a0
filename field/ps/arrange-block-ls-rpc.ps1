# arrange-block-ls-rpc: makes the license server unreachable from this test VM for the scenario
# "licensed Session Host with the license server's RPC blocked", and takes it back afterwards.
# Parameters: action=apply|remove, server=<license server host or IPv4 address>.
# apply: an outbound Windows Firewall rule "rdpfix-field-block-ls" blocking TCP 135 and the
# dynamic RPC range to that address. remove: deletes the rule. netsh only, so it runs on 2008 R2.

$params = Get-FieldParams
$action = [string]$params['action']
$server = [string]$params['server']
$name = 'rdpfix-field-block-ls'
if ($action -cnotmatch '^(apply|remove)$') { throw 'action must be apply or remove' }
if ($server -cnotmatch '^[A-Za-z0-9_.-]{1,253}$') { throw 'server must be a host name or IPv4 address' }

$netsh = Join-Path $env:windir 'System32\netsh.exe'
& $netsh advfirewall firewall delete rule ('name=' + $name) | Out-Null
if ($action -eq 'apply') {
    $addresses = @([System.Net.Dns]::GetHostAddresses($server) | ForEach-Object { $_.IPAddressToString })
    if ($addresses.Count -eq 0) { throw ('cannot resolve ' + $server) }
    $remote = $addresses -join ','
    & $netsh advfirewall firewall add rule ('name=' + $name) 'dir=out' 'action=block' 'protocol=TCP' ('remoteip=' + $remote) 'remoteport=135,49152-65535' | Out-Null
    if ($LASTEXITCODE -ne 0) { throw ('netsh exit code ' + [string]$LASTEXITCODE) }
}
Write-FieldValue 'action' $action
Write-FieldValue 'rule' $name
[Console]::Out.WriteLine('RDPFIX-FIELD-END')
