import * as fs from 'fs';
import * as path from 'path';
import { RESULT_CAPS } from './caps';
import { CHANGING_SCRIPTS, HEADER_PATTERN, PARAMS_LINE_PATTERN, SCRIPT_NAMES, ScriptName } from './contract';
import { maskPowerShell, findPs3Constructs } from './ps2-compat';
import { getPowerShellParser, PowerShellParser } from './powershell-grammar';
import { loadScriptSource, renderScript } from './render-script';
import { SCRIPT_PARAM_EXAMPLES, SCRIPT_PARAM_SPECS } from './script-params';
import { scriptsDir } from './scripts-dir';

const rendered = SCRIPT_NAMES.map((name) => renderScript(name, SCRIPT_PARAM_EXAMPLES[name]));
const read = (file: string) => fs.readFileSync(path.join(scriptsDir(), file), 'utf8');

let parser: PowerShellParser;
beforeAll(async () => {
  parser = await getPowerShellParser();
});

describe('script files', () => {
  it('exist for every SCRIPT_NAME, plus _common.ps1 and nothing unknown', () => {
    const files = fs.readdirSync(scriptsDir()).filter((f) => f.endsWith('.ps1')).sort();
    const expected = [...SCRIPT_NAMES.map((n) => `${n}.ps1`), '_common.ps1', '_facts.ps1', '_change.ps1'].sort();
    expect(files).toEqual(expected);
  });

  it('shared parts parse on their own', () => {
    for (const file of ['_common.ps1', '_facts.ps1', '_change.ps1']) {
      const report = parser.parse(read(file));
      expect({ file, errors: report.errors }).toEqual({ file, errors: [] });
    }
  });
});

describe.each(rendered.map((r) => [r.name, r] as const))('%s (rendered)', (name, script) => {
  const lines = script.text.split('\n');

  it('parses with the tree-sitter PowerShell grammar without errors', () => {
    const report = parser.parse(script.text);
    expect(report.errors).toEqual([]);
    expect(report.hasError).toBe(false);
  });

  it('uses no PowerShell 3.0+ construct', () => {
    expect(findPs3Constructs(script.text)).toEqual([]);
  });

  it('is printable ASCII only (the agent may save it without a BOM)', () => {
    expect(script.text).not.toMatch(/[^\x09\x0a\x20-\x7e]/);
  });

  it('starts with the header and the params line', () => {
    const header = HEADER_PATTERN.exec(lines[0]);
    expect(header?.[1]).toBe(name);
    expect(Number(header?.[2])).toBe(script.version);
    expect(lines[1]).toMatch(PARAMS_LINE_PATTERN);
  });

  it('assigns $RdpfixParams exactly once, on line 2', () => {
    const assignments = lines
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => /\$RdpfixParams\s*=/.test(l))
      .map(({ i }) => i + 1);
    expect(assignments).toEqual([2]);
  });

  it('never contains a forbidden action', () => {
    const t = script.text;
    expect(t).not.toMatch(/GracePeriod(?!Days)/i); // the timebomb key, in any form
    expect(t).not.toMatch(/TIMEBOMB/i);
    expect(t).not.toMatch(/MaxInstanceCount/i);
    expect(t).not.toMatch(/\blogoff\b/i);
    expect(t).not.toMatch(/\bexit\s+3010\b/i);
    expect(t).not.toMatch(/\bexit\s+194\b/i);
    expect(t).not.toMatch(/-Restart\b/i);
    expect(maskPowerShell(t)).not.toMatch(/\bRestart-Computer\b/i); // the cmdlet (the script name is fine)
    expect(t).not.toMatch(/\bRead-Host\b/i);
    expect(t).not.toMatch(/\b(?:Invoke-Expression|iex)\b/i);
    expect(t).not.toMatch(/\bConvertTo-Json\b/i);
  });

  it('exits only with 0 or 1', () => {
    const code = maskPowerShell(script.text);
    const exits = [...code.matchAll(/(?<![\w-])exit\b(?!-)\s*([^\s;}]*)/gi)].map((m) => m[1]);
    expect(exits.length).toBeGreaterThan(0);
    for (const e of exits) expect(['0', '1']).toContain(e);
  });

  it('reads parameters only through Get-RdpfixParams / Get-RdpfixParam', () => {
    const body = loadScriptSource(name).body;
    const declared = Object.keys(SCRIPT_PARAM_SPECS[name]);
    for (const key of declared) expect(body).toContain(`'${key}'`);
    if (declared.length === 0) expect(body).not.toMatch(/Get-RdpfixParams/);
    else expect(body).toMatch(/Get-RdpfixParams/);
  });

  it('stays small enough for every command channel we target', () => {
    expect(Buffer.byteLength(script.text, 'utf8')).toBeLessThan(48 * 1024);
  });
});

describe('script content', () => {
  const common = read('_common.ps1');
  const facts = read('_facts.ps1');
  const change = read('_change.ps1');
  const body = (n: ScriptName) => loadScriptSource(n).body;

  it('queries the TerminalServices namespace with packet privacy, every time', () => {
    const code = maskPowerShell(common + '\n' + facts);
    const calls = [...code.matchAll(/Get-WmiObject[^\n]*TerminalServices[^\n]*/g)].map((m) => m[0]);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) expect(c).toContain('-Authentication PacketPrivacy');
    expect(common).toContain(
      'Get-WmiObject -Namespace root\\cimv2\\TerminalServices -Class Win32_TerminalServiceSetting -Authentication PacketPrivacy',
    );
  });

  it('changing scripts refuse a second run of one run id, before they read or change anything', () => {
    // The guard creates its marker file with CreateNew (atomic) and reports already_ran.
    expect(change).toMatch(/function Assert-RdpfixFirstRun/);
    expect(change).toMatch(/\[System\.IO\.FileMode\]::CreateNew/);
    expect(change).toMatch(/'already_ran: run '/);
    for (const name of SCRIPT_NAMES) {
      const lines = body(name).split('\n');
      const params = lines.findIndex((l) => /^\$params = Get-RdpfixParams\s*$/.test(l));
      const guard = lines.findIndex((l) => /^Assert-RdpfixFirstRun \(Get-RdpfixParam \$params 'runId' \$script:RdpfixRunIdPattern\)\s*$/.test(l));
      if (!CHANGING_SCRIPTS.has(name)) {
        expect({ name, guard }).toEqual({ name, guard: -1 });
        continue;
      }
      // The first statement after the parameters are decoded (comment lines aside).
      const between = lines.slice(params + 1, guard).filter((l) => !/^\s*(#.*)?$/.test(l));
      expect({ name, params: params >= 0, guard: guard > params, between }).toEqual({ name, params: true, guard: true, between: [] });
    }
  });

  it('refuses a 32-bit host on 64-bit Windows', () => {
    expect(common).toMatch(/\[IntPtr\]::Size -eq 4 -and -not \[string\]::IsNullOrEmpty\(\$env:PROCESSOR_ARCHITEW6432\)/);
    expect(common).toMatch(/Exit-RdpfixFailure 'refused: 32-bit PowerShell/);
  });

  it('keeps diagnose and verify read-only', () => {
    for (const n of ['diagnose', 'verify'] as const) {
      // The rendered text: no writer is even defined in it (they live in _change.ps1).
      const text = renderScript(n).text;
      const readOnly = maskPowerShell(text);
      expect(readOnly).not.toMatch(/Set-RdpfixRegValue|Remove-RdpfixRegValue|Set-RdpfixSpecifiedServers|\.SetValue\(|\.DeleteValue\(|CreateSubKey/);
      expect(readOnly).not.toMatch(/\b(?:Set|New|Remove)-Item(?:Property)?\b/);
      expect(body(n)).toContain('# rdpfix-include: _facts.ps1');
      expect(body(n)).not.toContain('_change.ps1');
    }
    // WMI methods called from the shared code and the facts collector: only readers.
    const raw = [common, facts].join('\n');
    const methods = [...new Set([...raw.matchAll(/Invoke-RdpfixWmiMethod \$\w+ '(\w+)'/g)].map((m) => m[1]))].sort();
    expect(methods).toEqual(['GetActivationStatus', 'GetGracePeriodDays', 'GetSpecifiedLicenseServerList', 'GetTStoLSConnectivityStatus']);
    for (const n of SCRIPT_NAMES.filter((x) => x !== 'diagnose' && x !== 'verify')) {
      expect(body(n)).not.toContain('_facts.ps1');
      expect(body(n)).toContain('# rdpfix-include: _change.ps1');
    }
  });

  it('never turns a failed read into a default value in the facts collector', () => {
    // Every catch block of Get-RdpfixFacts records the read as unknown (or, for the per-server
    // status, keeps -1 = call failed); none assigns a value the planner would take as a fact.
    const fn = facts.slice(facts.indexOf('function Get-RdpfixFacts'));
    const catches = [...fn.matchAll(/\} catch \{([\s\S]*?)\n {4,8}\}/g)].map((m) => m[1]);
    expect(catches.length).toBeGreaterThanOrEqual(15);
    for (const c of catches) {
      expect({ c, ok: /Set-RdpfixUnknown|Exit-RdpfixFailure|Add-RdpfixError 'reachability'/.test(c) }).toMatchObject({ ok: true });
      expect(c).not.toMatch(/=\s*(?:\$(?:true|false)|[0-9]|'(?:running|stopped|local|policy)')/);
    }
    // GetSpecifiedLicenseServerList only on a Session Host (issue 7).
    expect(fn).toMatch(/elseif \(\$null -ne \$ts -and -not \$notRdsh\) \{\s*\$allServers = Get-RdpfixSpecifiedServers \$ts/);
    // Only CBS and Windows Update block; file renames are a separate, reported-only fact.
    expect(facts).toMatch(/\$state\['cbs'\][\s\S]*\$state\['wu'\][\s\S]*\$state\['fileRename'\]/);
  });

  it('picks the role removal command per OS, never with -Restart, after its own safety checks', () => {
    const b = body('remove-rdsh-role');
    expect(b).toMatch(/Uninstall-WindowsFeature -Name RDS-RD-Server -ErrorAction Stop/);
    expect(b).toMatch(/Import-Module ServerManager[\s\S]*Remove-WindowsFeature -Name RDS-RD-Server -ErrorAction Stop/);
    expect(b).toContain("@('-remove', 'TS-Terminal-Server')");
    expect(b).toMatch(/Test-RdpfixDomainController/);
    expect(b).toMatch(/'RDS-Connection-Broker', 'RDS-Web-Access', 'RDS-Gateway'/);
    // The RD Licensing role blocks only when activated with real CAL packs.
    expect(b).toMatch(/if \(\$ls\.activated -and \$ls\.packs -gt 0\)/);
    // Configured licensing blocks unless the caller explicitly asked.
    expect(b).toMatch(/if \(-not \$despiteLicensing\) \{[\s\S]*refused: RD licensing is configured/);
    // Every refusal comes before the removal itself.
    const removal = b.indexOf('$op = Uninstall-WindowsFeature');
    expect(removal).toBeGreaterThan(0);
    for (const m of b.matchAll(/Exit-RdpfixFailure '?\(?'refused: /g)) expect(m.index!).toBeLessThan(removal);
  });

  it('schedules the restart with shutdown.exe /f and a delay, once per boot', () => {
    const b = body('restart-computer');
    expect(b).toMatch(/'shutdown\.exe'\) @\('\/r', '\/f', '\/t', \[string\]\$delay, '\/d', 'p:4:1', '\/c', 'rdpfix: /);
    // A re-delivered command must not restart again: the expected boot time is checked first.
    expect(b.indexOf("$result['alreadyRestarted'] = $true")).toBeGreaterThan(0);
    expect(b.indexOf("$result['alreadyRestarted'] = $true")).toBeLessThan(b.indexOf("'shutdown.exe'"));
    expect(b).toMatch(/TotalSeconds\) -gt 120/);
  });

  it('restore-licensing verifies through WMI LicensingType, not the registry value it wrote', () => {
    const b = body('restore-licensing');
    const readBack = b.slice(b.indexOf('$ts2 = Get-RdpfixTsSetting'));
    expect(readBack).toMatch(/\$afterMode = ConvertTo-RdpfixModeCode \$ts2\.LicensingType/);
    expect(readBack).toMatch(/restartNeeded'\] = \$true/);
  });

  it('refuses Group Policy controlled settings in every changing script', () => {
    expect(body('set-single-session')).toMatch(/if \(\$policy\.singleSession\)[\s\S]{0,40}Exit-RdpfixFailure 'refused: Group Policy/);
    expect(change).toMatch(/function Assert-RdpfixLicensingNotPolicy[\s\S]{0,120}if \(\$Policy\.licensingMode -or \$Policy\.licenseServers\)[\s\S]{0,40}Exit-RdpfixFailure 'refused: Group Policy/);
    for (const n of ['configure-licensing', 'restore-licensing'] as const) {
      const src = body(n);
      const check = src.indexOf('Assert-RdpfixLicensingNotPolicy $policy $result');
      expect({ n, check: check >= 0 }).toEqual({ n, check: true });
      // The check comes before the first WMI method call that could change anything.
      expect({ n, before: check < src.indexOf('Invoke-RdpfixWmiMethod') }).toEqual({ n, before: true });
    }
  });

  it('applies the result caps the TypeScript side assumes', () => {
    const num = (src: string, v: string) => {
      const m = new RegExp(`^\\$script:${v} = (\\d+)\\s*$`, 'm').exec(src);
      return m ? Number(m[1]) : NaN;
    };
    expect(num(common, 'RdpfixMaxErrors')).toBe(RESULT_CAPS.errors);
    expect(num(common, 'RdpfixMaxErrorChars')).toBe(RESULT_CAPS.errorChars);
    expect(num(common, 'RdpfixMaxUnknownMessages')).toBe(RESULT_CAPS.unknownMessages);
    expect(num(common, 'RdpfixMaxUnknownChars')).toBe(RESULT_CAPS.unknownChars);
    expect(num(common, 'RdpfixMaxMessageChars')).toBe(RESULT_CAPS.messageChars);
    expect(num(common, 'RdpfixMaxServers')).toBe(RESULT_CAPS.servers);
    expect(num(common, 'RdpfixMaxServerChars')).toBe(RESULT_CAPS.serverChars);
    expect(num(facts, 'RdpfixMaxSessionRows')).toBe(RESULT_CAPS.sessionRows);
    expect(num(facts, 'RdpfixMaxSessionChars')).toBe(RESULT_CAPS.sessionRowChars);
    // ...and that the caps are actually applied where the values are produced.
    expect(common).toMatch(/\$script:RdpfixErrors\.Add\(\(Limit-RdpfixText \$text \$script:RdpfixMaxErrorChars\)\)/);
    expect(common).toMatch(/if \(\$script:RdpfixErrors\.Count -ge \$script:RdpfixMaxErrors\) \{\s*\$script:RdpfixErrorsDropped = \$script:RdpfixErrorsDropped \+ 1\s*return\s*\}/);
    expect(common).toMatch(/if \(\$script:RdpfixUnknown\.Count -lt \$script:RdpfixMaxUnknownMessages\) \{\s*\$text = Limit-RdpfixText \(Get-RdpfixErrorText \$ErrorRecord\) \$script:RdpfixMaxUnknownChars/);
    expect(common).toMatch(/\$Result\['error'\] = Limit-RdpfixText \$Message \$script:RdpfixMaxMessageChars/);
    expect(common).toMatch(/Limit-RdpfixText \(\[string\]\$s\) \$script:RdpfixMaxServerChars/);
    expect(facts).toMatch(/\[void\]\$rows\.Add\(\(Limit-RdpfixText \$row \$script:RdpfixMaxSessionChars\)\)/);
    expect(facts).toMatch(/if \(\$rows\.Count -ge \$script:RdpfixMaxSessionRows\)/);
    expect(facts).toMatch(/\$os\['ps'\] = Limit-RdpfixText \(Get-RdpfixPsVersion\) 10/);
    expect(RESULT_CAPS.psVersionChars).toBe(10);
  });
});
