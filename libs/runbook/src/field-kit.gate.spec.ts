import * as fs from 'fs';
import * as path from 'path';
import { checkFieldConfig, FIELD_SCENARIOS, FieldConfig } from '../../../field/runner/config';
import { changingScripts, FieldRun } from '../../../field/runner/run';
import { FIELD_SCRIPTS, fieldDir, parseFieldOutput, parsePesterOutput, renderFieldScript } from '../../../field/runner/render';
import { findPs3Constructs } from './ps2-compat';
import { getPowerShellParser, PowerShellParser } from './powershell-grammar';

/**
 * The field-validation kit (field/) cannot run here, so it passes the same gates as the runbook:
 * every .ps1 parses with the real PowerShell grammar, uses no PowerShell 3.0+ construct (the kit
 * runs on 2008 R2 too) and is printable ASCII. The runner's pure parts are unit-tested, and its
 * orchestration runs against fakes of SSM and the rdpfix API.
 */
const dir = fieldDir();
const ps1 = [...fs.readdirSync(path.join(dir, 'ps')).map((f) => `ps/${f}`), ...fs.readdirSync(path.join(dir, 'pester')).map((f) => `pester/${f}`)].filter((f) => f.endsWith('.ps1'));
const read = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

let parser: PowerShellParser;
beforeAll(async () => {
  parser = await getPowerShellParser();
});

describe('field kit PowerShell', () => {
  it('has the scripts the runner sends and the Pester tests', () => {
    expect(ps1.sort()).toEqual([...FIELD_SCRIPTS.map((n) => `ps/${n}.ps1`), 'ps/_field-common.ps1', 'pester/Rdpfix.Field.Tests.ps1'].sort());
  });

  it.each(ps1.map((f) => [f]))('%s parses, is PowerShell 2.0 compatible and ASCII', (file) => {
    const text = read(file);
    expect(parser.parse(text).errors).toEqual([]);
    expect(findPs3Constructs(text)).toEqual([]);
    expect(text).not.toMatch(/[^\x09\x0a\x0d\x20-\x7e]/);
  });

  it.each(FIELD_SCRIPTS.map((n) => [n]))('%s renders to a script that parses, with its parameters as base64 data only', (name) => {
    const text = renderFieldScript(name, { action: 'apply', server: 'ls01.corp.example.com', scenario: 'x', tests: 'QUJD', before: '', expect: '' });
    const report = parser.parse(text);
    expect(report.errors).toEqual([]);
    expect(report.hasError).toBe(false);
    expect(findPs3Constructs(text)).toEqual([]);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`# rdpfix-field: ${name}`);
    expect(lines[1]).toMatch(/^\$RdpfixFieldParams = '[A-Za-z0-9+/=]*'$/);
    expect(text).not.toContain('ls01.corp.example.com');
    expect(text.match(/\$RdpfixFieldParams\s*=/g)).toHaveLength(1);
  });

  it('the Pester tests cover every scenario of the issue (item 12)', () => {
    const t = read('pester/Rdpfix.Field.Tests.ps1');
    for (const s of ['licensed-untouched', 'lockout-repair', 'licensing-configured', 'licensing-restored', 'quser-names', 'restart-timing']) expect(t).toContain(s);
    // Pester 3.4 / 4.x syntax throughout (Pester 5's "Should -Be" is not used).
    expect(t).toMatch(/Should Be /);
    expect(t).not.toMatch(/Should -/);
    // Read-only: the tests never change the server.
    expect(t).not.toMatch(/SetValue|DeleteValue|Set-ItemProperty|Remove-WindowsFeature|Uninstall-WindowsFeature|shutdown|Restart-Computer|ChangeMode|SetSingleSession/i);
  });

  it('never touches the grace-period key and the arrange steps undo what they do', () => {
    for (const f of ps1) expect(read(f)).not.toMatch(/GracePeriod(?!Days)|TIMEBOMB/i);
    expect(read('ps/arrange-block-ls-rpc.ps1')).toMatch(/delete rule \('name=' \+ \$name\)[\s\S]*if \(\$action -eq 'apply'\)/);
    expect(read('ps/arrange-break-wmi.ps1')).toMatch(/start= auto[\s\S]*Start-Service -Name winmgmt/);
  });
});

describe('field runner', () => {
  it('refuses parameters that could become code', () => {
    expect(() => renderFieldScript('snapshot-state', { 'a b': 'x' })).toThrow(/parameter name/);
    expect(() => renderFieldScript('snapshot-state', { a: 'x\ny' })).toThrow(/line break/);
  });

  it('reads key=value output, \\u escapes included, up to the end marker', () => {
    const out = parseFieldOutput('noise\r\nbootTime=2025-01-01T00:00:00Z\r\nname=\\u5f20\\u4e09\r\nRDPFIX-FIELD-END\r\nlate=1\r\n');
    expect(out).toEqual({ values: { bootTime: '2025-01-01T00:00:00Z', name: '张三' }, lines: ['bootTime=2025-01-01T00:00:00Z', 'name=张三'], complete: true });
    expect(parseFieldOutput('a=1').complete).toBe(false);
    expect(parsePesterOutput('RDPFIX-PESTER passed=5 failed=1\nRDPFIX-PESTER-FAIL=x / y: z\nRDPFIX-FIELD-END')).toEqual({ passed: 5, failed: 1, failures: ['x / y: z'] });
    expect(parsePesterOutput('Import-Module : Pester not found')).toBeNull();
  });

  it('accepts the example config and names what is wrong with a bad one', () => {
    const example = JSON.parse(read('field-config.example.json')) as FieldConfig;
    expect(checkFieldConfig(example)).toEqual([]);
    const scenarios = new Set(example.vms.flatMap((v) => v.scenarios));
    expect([...scenarios].sort()).toEqual([...FIELD_SCENARIOS].sort());
    // Item 12: a full repair on 2008 R2, 2012 R2, 2016, 2022, 2025 and one zh-CN image.
    const repairs = example.vms.filter((v) => v.scenarios.includes('lockout-repair') || v.scenarios.includes('restart-timing'));
    expect(new Set(repairs.map((v) => v.os))).toEqual(new Set(['2008R2', '2012R2', '2016', '2022', '2025']));
    expect(repairs.some((v) => v.locale === 'zh-CN')).toBe(true);
    expect(checkFieldConfig({ ...example, rdpfixApiKeyEnv: 'rdpfix-key-123', vms: [{ instanceId: 'x', os: '2003', scenarios: ['quser-names'] }] })).toEqual([
      'rdpfixApiKeyEnv: the NAME of the environment variable with the API key',
      'vms[0].instanceId',
      expect.stringMatching(/^vms\[0\]\.os/),
      'vms[0].accounts: quser-names needs the logged-on accounts',
    ]);
  });

  it('counts the changing commands of a remediation', () => {
    expect(changingScripts({ commands: [{ script: { name: 'diagnose' } }, { script: { name: 'remove-rdsh-role' } }, { script: { name: 'verify' } }, { script: { name: 'restart-computer' } }] })).toEqual(['remove-rdsh-role', 'restart-computer']);
  });

  /** Fakes of SSM and the rdpfix API that record what the runner did. */
  function fakes(remediation: Record<string, unknown> | Error) {
    const sent: string[] = [];
    const ssm = {
      run: async (_id: string, text: string) => {
        const name = /^# rdpfix-field: ([a-z-]+)/.exec(text)![1];
        sent.push(name);
        const stdout = name === 'run-pester' ? 'RDPFIX-PESTER passed=6 failed=0\nRDPFIX-FIELD-END\n' : 'bootTime=2025-01-01T00:00:00Z\nRDPFIX-FIELD-END\n';
        return { status: 'Success', stdout, stderr: '', exitCode: 0 };
      },
    };
    const api = {
      submit: async () => {
        sent.push('rdpfix');
        if (remediation instanceof Error) throw remediation;
        return { id: 'r1' };
      },
      waitFor: async () => remediation,
    };
    return { sent, ssm, api };
  }
  const cfg: FieldConfig = { region: 'cn-north-1', rdpfixUrl: 'https://x', rdpfixApiKeyEnv: 'K', licenseServer: 'ls01', vms: [] };
  const vm = { instanceId: 'i-0aaaaaaaaaaaaaaa1', os: '2019' as const, scenarios: ['licensed-untouched-ls-blocked' as const] };

  it('blocks the license server, lets rdpfix work, unblocks, then runs Pester; a refusal with no change passes', async () => {
    const f = fakes({ id: 'r1', outcome: 'refused', reason: 'license_server_unreachable', commands: [{ script: { name: 'diagnose' } }] });
    const r = await new FieldRun(cfg, f.ssm as never, f.api as never).run(vm, 'licensed-untouched-ls-blocked');
    expect(f.sent).toEqual(['snapshot-state', 'arrange-block-ls-rpc', 'rdpfix', 'arrange-block-ls-rpc', 'run-pester']);
    expect(r.passed).toBe(true);
  });

  it('undoes the arrange step even when rdpfix cannot be reached, and fails a run that changed the server', async () => {
    const f = fakes(new Error('connect ECONNREFUSED'));
    await expect(new FieldRun(cfg, f.ssm as never, f.api as never).run(vm, 'licensed-untouched-ls-blocked')).rejects.toThrow(/ECONNREFUSED/);
    expect(f.sent).toEqual(['snapshot-state', 'arrange-block-ls-rpc', 'rdpfix', 'arrange-block-ls-rpc']);
    const g = fakes({ id: 'r2', outcome: 'fixed', rebooted: true, commands: [{ script: { name: 'remove-rdsh-role' } }, { script: { name: 'restart-computer' } }] });
    const bad = await new FieldRun(cfg, g.ssm as never, g.api as never).run(vm, 'licensed-untouched-ls-blocked');
    expect(bad.passed).toBe(false);
    expect(bad.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['no changing command reached the server', 'not "fixed"']);
  });
});
