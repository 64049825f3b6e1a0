# run-pester: writes the rdpfix field Pester tests to a temporary folder and runs them with
# Pester 3.4 or 4.x (the inbox Pester of Server 2016+ is 3.4.0; install it on 2008 R2/2012 R2).
# Parameters: tests=<base64 of Rdpfix.Field.Tests.ps1>, scenario=<name>,
#   before=<base64 of the snapshot's key=value lines>, expect=<base64 of key=value expectations>.
# Output: one "RDPFIX-PESTER passed=<n> failed=<n>" line, one "RDPFIX-PESTER-FAIL=<name>: <message>" line per
# failed test (non-ASCII as \uXXXX), then RDPFIX-FIELD-END.

$params = Get-FieldParams
$dir = Join-Path $env:TEMP ('rdpfix-field-' + [guid]::NewGuid().ToString('N'))
[void](New-Item -ItemType Directory -Path $dir)
try {
    $path = Join-Path $dir 'Rdpfix.Field.Tests.ps1'
    [System.IO.File]::WriteAllBytes($path, [Convert]::FromBase64String([string]$params['tests']))
    $utf8 = [System.Text.Encoding]::UTF8
    $before = $utf8.GetString([Convert]::FromBase64String([string]$params['before']))
    $expect = $utf8.GetString([Convert]::FromBase64String([string]$params['expect']))
    Import-Module Pester
    $testParams = @{ Scenario = [string]$params['scenario']; BeforeData = $before; ExpectData = $expect }
    $run = Invoke-Pester -Script @{ Path = $path; Parameters = $testParams } -PassThru -Quiet
    [Console]::Out.WriteLine('RDPFIX-PESTER passed=' + [string]$run.PassedCount + ' failed=' + [string]$run.FailedCount)
    foreach ($t in @($run.TestResult)) {
        if ($null -ne $t -and -not [bool]$t.Passed) { Write-FieldValue 'RDPFIX-PESTER-FAIL' ([string]$t.Describe + ' / ' + [string]$t.Name + ': ' + [string]$t.FailureMessage) }
    }
} finally {
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}
[Console]::Out.WriteLine('RDPFIX-FIELD-END')
