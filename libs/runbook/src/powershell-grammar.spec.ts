import { getPowerShellParser, parsePowerShell } from './powershell-grammar';

describe('parsePowerShell (tree-sitter-powershell)', () => {
  it('accepts valid PowerShell 2.0 code', async () => {
    const report = await parsePowerShell(
      [
        'function Test-It([string]$Name) {',
        '    try { $x = Get-WmiObject -Class Win32_OperatingSystem -ErrorAction Stop }',
        '    catch { return $null }',
        "    if ($Name -cmatch '^[a-z]+$') { return , @($Name) }",
        '}',
        'trap { exit 1 }',
      ].join('\n'),
    );
    expect(report).toEqual({ hasError: false, errors: [] });
  });

  it.each([
    ['an unclosed if block', 'if ($a) {\n  $b = 1\n'],
    ['an unterminated string', '$x = "abc\n$y = 1\n'],
    ['a dangling operator', '$x = 1 +\n'],
    ['a broken function header', 'function ( {\n}\n'],
    ['unbalanced parentheses', '$x = (1 + (2 * 3)\n'],
  ])('fails on %s, with a position', async (_label, src) => {
    const report = await parsePowerShell(src);
    expect(report.hasError).toBe(true);
    expect(report.errors.length).toBeGreaterThan(0);
    for (const e of report.errors) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
  });

  it('points at the broken line', async () => {
    const report = await parsePowerShell('$a = 1\n$b = 2\n$c = (3 +\n');
    expect(report.hasError).toBe(true);
    expect(report.errors[0].line).toBeGreaterThanOrEqual(3);
  });

  it('loads the grammar once', async () => {
    expect(await getPowerShellParser()).toBe(await getPowerShellParser());
  });
});
