import { DiagnoseResult, MAX_RESULT_LINE_CHARS, RemoveRoleResult, ScriptName } from '@rdpfix/runbook/contract';
import { scriptVersion } from '@rdpfix/runbook/render-script';
import { Rng } from '../common/rng';
import { SimInstance } from '../model/instance';
import { InstanceSpec, buildInstance } from '../model/instance-factory';
import { PresetName } from '../model/presets';
import { lastJsonLine, renderScriptText } from '../testing/script-text';
import { parseScript } from './parse-script';
import { ExecuteContext, NO_OUTPUT_FAULTS, executeScript } from './script-executor';

const rng = new Rng(3);
const make = (preset: PresetName, os: InstanceSpec['os'] = '2019', overrides?: InstanceSpec['overrides']) =>
  buildInstance({ tenantId: 't', region: 'us-east-1', os, preset, overrides }, rng);
const ctx = (over: Partial<ExecuteContext> = {}): ExecuteContext => ({
  now: Date.now(),
  rebootScheduled: false,
  instanceId: 'i-0123456789abcdef0',
  commandId: '11111111-2222-3333-4444-555555555555',
  faults: NO_OUTPUT_FAULTS,
  rng,
  ...over,
});
/** The current version of each script, as the service sends it. */
const run = (inst: SimInstance, name: string, params: Record<string, string | number> = {}, c = ctx()) =>
  executeScript(inst, parseScript(renderScriptText(name, scriptVersion(name as ScriptName), params)), c);
const BOOT = (inst: SimInstance) => new Date(inst.bootTime).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('executeScript', () => {
  it('diagnose prints facts as the last line, exit 0, and changes nothing', () => {
    const inst = make('cause-a-and-b');
    const out = run(inst, 'diagnose');
    expect(out.exitCode).toBe(0);
    expect(out.apply).toBeUndefined();
    const lines = out.stdout.split('\r\n').filter(Boolean);
    expect(lines[lines.length - 1].length).toBeLessThan(MAX_RESULT_LINE_CHARS);
    const r = lastJsonLine<DiagnoseResult>(out.stdout);
    expect(r).toMatchObject({ script: 'diagnose', version: 2, ok: true });
    expect(r.facts).toMatchObject({
      os: { version: '10.0.17763', family: '2019', ps: '5.1', is64: true },
      rdsh: { installed: true, terminalServerMode: 1, removalPending: false },
      graceDays: 0,
      licensing: { mode: 5, modeSource: 'local', servers: [], serversSource: 'local', statuses: [] },
      singleSession: { value: 1, source: 'local' },
      domain: { role: 3, partOfDomain: false, isDomainController: false },
      rds: { broker: false, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false, lsActivated: null, lsCalPacks: null },
      pendingReboot: { cbs: false, wu: false, fileRename: false },
      termService: 'running',
      listener: { up: true, port: 3389 },
      firewall: { enabled: true, rdpAllowed: true },
      denyConnections: { value: 0, source: 'local' },
      sessionsTruncated: false,
      unknown: {},
      errors: [],
      errorsDropped: 0,
    });
    expect(r.facts.sessions![0]).toMatch(/^administrator rdp-tcp#0 2 Active \. \d+\/\d+\/\d{4} \d+:\d\d [AP]M$/);
  });

  it('verify reports the same facts under its own name; graceDays is null without RDSH', () => {
    const r = lastJsonLine<DiagnoseResult>(run(make('healthy'), 'verify').stdout);
    expect(r.script).toBe('verify');
    expect(r.facts.graceDays).toBeNull();
    expect(r.facts.rdsh.terminalServerMode).toBe(0);
  });

  it('set-single-session records before/after and applies on completion', () => {
    const inst = make('cause-a');
    const out = run(inst, 'set-single-session', { value: 0 });
    expect(out.exitCode).toBe(0);
    expect(lastJsonLine(out.stdout)).toEqual({
      script: 'set-single-session',
      version: scriptVersion('set-single-session'),
      ok: true,
      before: { present: true, value: 1 },
      after: { present: true, value: 0 },
      changed: true,
    });
    expect(inst.singleSession.value).toBe(1);
    out.apply!(inst);
    expect(inst.singleSession.value).toBe(0);
  });

  it('set-single-session refuses a policy-controlled setting', () => {
    const inst = make('cause-a', '2019', { singleSession: { value: 1, source: 'policy' } });
    const out = run(inst, 'set-single-session', { value: 0 });
    expect(out.exitCode).toBe(1);
    expect(out.apply).toBeUndefined();
    expect(lastJsonLine(out.stdout)).toMatchObject({ ok: false, changed: false, error: expect.stringMatching(/Group Policy/) });
    expect(out.stderr).toContain('failed to run commands: exit status 1');
  });

  it('configure-licensing and restore-licensing change mode and servers unless policy controls them', () => {
    const inst = make('cause-b');
    const out = run(inst, 'configure-licensing', { mode: 2, servers: 'ls1.corp.example.com, ls2.corp.example.com' });
    expect(lastJsonLine(out.stdout)).toEqual({
      script: 'configure-licensing',
      version: scriptVersion('configure-licensing'),
      ok: true,
      before: { mode: 5, servers: [] },
      after: { mode: 2, servers: ['ls1.corp.example.com', 'ls2.corp.example.com'] },
      changed: true,
    });
    out.apply!(inst);
    expect(inst.licensing).toMatchObject({ mode: 2, servers: ['ls1.corp.example.com', 'ls2.corp.example.com'] });
    // Mode 5 is written to the registry: WMI and TermService keep mode 2 until the next restart.
    const back = run(inst, 'restore-licensing', { mode: 5, servers: '' });
    expect(lastJsonLine(back.stdout)).toMatchObject({ script: 'restore-licensing', ok: true, after: { mode: 2, servers: [] }, registryMode: 5, restartNeeded: true });
    back.apply!(inst);
    expect(inst.licensing).toMatchObject({ mode: 2, pendingMode: 5 });
    const toDevice = run(inst, 'restore-licensing', { mode: 4, servers: 'ls1' });
    expect(lastJsonLine(toDevice.stdout)).toMatchObject({ ok: true, after: { mode: 4, servers: ['ls1'] }, restartNeeded: false });
    toDevice.apply!(inst);
    expect(inst.licensing).toMatchObject({ mode: 4, pendingMode: null });

    expect(run(make('cause-b'), 'configure-licensing', { mode: 5, servers: 'x' }).exitCode).toBe(1);
    expect(run(make('cause-b'), 'configure-licensing', { mode: 2, servers: '' }).exitCode).toBe(1);
    const gpo = make('cause-b', '2019', { licensing: { serversSource: 'policy', policyServers: ['gpo-ls'] } });
    const refused = run(gpo, 'configure-licensing', { mode: 4, servers: 'ls1' });
    expect(refused.exitCode).toBe(1);
    expect(lastJsonLine(refused.stdout)).toMatchObject({ ok: false, changed: false, error: expect.stringMatching(/Group Policy/) });
  });

  it.each([
    ['2008', 'servermanagercmd'],
    ['2008R2', 'remove-windowsfeature'],
    ['2012', 'uninstall-windowsfeature'],
    ['2025', 'uninstall-windowsfeature'],
  ] as const)('remove-rdsh-role on %s uses %s and leaves removal pending', (os, method) => {
    // 2008 has no PowerShell by default; give it one to exercise the ServerManagerCmd path.
    const inst = make('cause-b', os, os === '2008' ? { psVersion: '2.0' } : undefined);
    const out = run(inst, 'remove-rdsh-role', { despiteLicensing: 0 });
    expect(lastJsonLine<RemoveRoleResult>(out.stdout)).toEqual({
      script: 'remove-rdsh-role',
      version: scriptVersion('remove-rdsh-role'),
      ok: true,
      before: { installed: true },
      method,
      exitCode: 'SuccessRestartRequired',
      restartNeeded: true,
    });
    out.apply!(inst);
    expect(inst.rdsh).toEqual({ installed: true, removalPending: true });
  });

  it('remove-rdsh-role: NoChangeNeeded without the role; refuses on a DC and in an RDS deployment', () => {
    const no = { despiteLicensing: 0 };
    expect(lastJsonLine(run(make('healthy'), 'remove-rdsh-role', no).stdout)).toMatchObject({ ok: true, exitCode: 'NoChangeNeeded', restartNeeded: false });
    const dc = run(make('cause-b', '2016', { domain: { role: 5, partOfDomain: true } }), 'remove-rdsh-role', no);
    expect(dc.exitCode).toBe(1);
    expect(lastJsonLine(dc.stdout)).toMatchObject({ ok: false, exitCode: 'Failed', error: expect.stringMatching(/domain controller/) });
    const broker = run(make('cause-b', '2016', { rds: { broker: true } }), 'remove-rdsh-role', no);
    expect(lastJsonLine(broker.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/RDS deployment/) });
  });

  it('remove-rdsh-role v2: the RD Licensing role blocks only when activated with CAL packs; configured licensing only without the explicit request', () => {
    const no = { despiteLicensing: 0 };
    const unactivated = run(make('cause-b-with-ls-role'), 'remove-rdsh-role', no);
    expect(lastJsonLine(unactivated.stdout)).toMatchObject({ ok: true, exitCode: 'SuccessRestartRequired' });
    const real = run(make('cause-b', '2019', { rds: { licensingRole: true, lsActivated: true, lsCalPacks: 2 } }), 'remove-rdsh-role', no);
    expect(lastJsonLine(real.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/RDS deployment/) });
    const configured = make('licensed-ls-unreachable');
    expect(lastJsonLine(run(configured, 'remove-rdsh-role', no).stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/licensing is configured/) });
    expect(lastJsonLine(run(configured, 'remove-rdsh-role', { despiteLicensing: 1 }).stdout)).toMatchObject({ ok: true, exitCode: 'SuccessRestartRequired' });
    const unreadable = make('cause-b', '2019', { readFailures: { ts: 'Invalid class' } });
    expect(lastJsonLine(run(unreadable, 'remove-rdsh-role', no).stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/cannot tell whether RD licensing is configured/) });
    expect(run(make('cause-b'), 'remove-rdsh-role').exitCode).toBe(1); // despiteLicensing missing
  });

  it('restart-computer reports the current boot time and asks for a restart', () => {
    const inst = make('healthy');
    const out = run(inst, 'restart-computer', { delaySeconds: 10, expectedBootTime: BOOT(inst) });
    expect(lastJsonLine(out.stdout)).toEqual({
      script: 'restart-computer',
      version: scriptVersion('restart-computer'),
      ok: true,
      scheduled: true,
      alreadyRestarted: false,
      delaySeconds: 10,
      bootTime: BOOT(inst),
    });
    expect(out.reboot).toEqual({ delaySeconds: 10 });
    expect(run(inst, 'restart-computer', { delaySeconds: 2, expectedBootTime: BOOT(inst) }).exitCode).toBe(1);
    expect(run(inst, 'restart-computer', { delaySeconds: 10 }).exitCode).toBe(1); // v2+ need a boot-time check
    expect(run(inst, 'restart-computer', { delaySeconds: 10, expectedBootTime: BOOT(inst), bootedBefore: BOOT(inst) }).exitCode).toBe(1); // v4: one of them
    const twice = run(inst, 'restart-computer', { delaySeconds: 10, expectedBootTime: BOOT(inst) }, ctx({ rebootScheduled: true }));
    expect(lastJsonLine(twice.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/1190/) });
  });

  it('restart-computer never restarts a server that booted since the expected boot time (re-delivery)', () => {
    const inst = make('healthy');
    const earlier = new Date(Date.parse(inst.bootTime) - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const out = run(inst, 'restart-computer', { delaySeconds: 10, expectedBootTime: earlier });
    expect(lastJsonLine(out.stdout)).toMatchObject({ ok: true, scheduled: false, alreadyRestarted: true });
    expect(out.reboot).toBeUndefined();
    // A clock step within the tolerance is the same boot: the restart goes ahead.
    const stepped = new Date(Date.parse(inst.bootTime) + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(run(inst, 'restart-computer', { delaySeconds: 10, expectedBootTime: stepped }).reboot).toEqual({ delaySeconds: 10 });
  });

  it('restart-computer v4 with a batch threshold: one-sided, echoed, re-delivery safe', () => {
    const inst = make('healthy');
    const boot = Date.parse(inst.bootTime);
    const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The batch's latest boot is a day later than this server's: still "not restarted yet".
    const threshold = at(boot + 24 * 3600_000 + 120_000);
    const out = run(inst, 'restart-computer', { delaySeconds: 10, bootedBefore: threshold });
    expect(lastJsonLine(out.stdout)).toMatchObject({ ok: true, scheduled: true, alreadyRestarted: false, bootedBefore: threshold });
    expect(out.reboot).toEqual({ delaySeconds: 10 });
    // Booted after the threshold (our restart, or someone's): no second restart.
    const again = run(inst, 'restart-computer', { delaySeconds: 10, bootedBefore: at(boot - 1000) });
    expect(lastJsonLine(again.stdout)).toMatchObject({ ok: true, scheduled: false, alreadyRestarted: true, bootedBefore: at(boot - 1000) });
    expect(again.reboot).toBeUndefined();
    // A boot time exactly at the threshold is not after it.
    expect(run(inst, 'restart-computer', { delaySeconds: 10, bootedBefore: at(boot) }).reboot).toEqual({ delaySeconds: 10 });
    // Version 3 knew only expectedBootTime: a bootedBefore alone is refused, as the v3 script would.
    const v3 = executeScript(inst, parseScript(renderScriptText('restart-computer', 3, { delaySeconds: 10, bootedBefore: threshold })), ctx());
    expect(lastJsonLine(v3.stdout)).toMatchObject({ version: 3, ok: false, error: expect.stringMatching(/expectedBootTime/) });
    expect(v3.reboot).toBeUndefined();
  });

  it('diagnose reports failed reads as unknown facts, never as defaults', () => {
    const inst = make('licensed-ok', '2019', {
      readFailures: { ts: 'Win32_TerminalServiceSetting: Invalid class', domain: 'Access denied', sessions: 'quser exit code 5', reboot: 'x', fw: 'y' },
    });
    const f = lastJsonLine<DiagnoseResult>(run(inst, 'diagnose').stdout).facts;
    expect(f.rdsh).toEqual({ installed: true, terminalServerMode: null, removalPending: false });
    expect(f.graceDays).toBeNull();
    expect(f.licensing).toMatchObject({ mode: 4, servers: null, statuses: [] });
    expect(f.domain).toEqual({ role: null, partOfDomain: null, isDomainController: false });
    expect(f.sessions).toBeNull();
    expect(f.pendingReboot).toEqual({ cbs: null, wu: null, fileRename: null });
    expect(f.firewall).toEqual({ enabled: null, rdpAllowed: null });
    // The first four failed reads keep their text; later ones only their name.
    expect(f.unknown).toEqual({ ts: 'Win32_TerminalServiceSetting: Invalid class', domain: 'Access denied', reboot: 'x', fw: 'y', sessions: '' });
  });

  it('diagnose reports license server statuses as the script sees them, -1 included; not on a non-RDSH', () => {
    const inst = make('licensed-ok', '2019', { licensing: { servers: ['a', 'b'], reachability: { a: -1, b: 8 } } });
    expect(lastJsonLine<DiagnoseResult>(run(inst, 'diagnose').stdout).facts.licensing).toMatchObject({ servers: ['a', 'b'], statuses: [-1, 8] });
    const plain = make('healthy', '2019', { licensing: { servers: ['a'] } });
    // GetSpecifiedLicenseServerList is not called on a server that is not a Session Host.
    expect(lastJsonLine<DiagnoseResult>(run(plain, 'diagnose').stdout).facts.licensing).toMatchObject({ servers: null, statuses: [] });
  });

  it('set-single-session fails when the TerminalServices class cannot be queried', () => {
    const out = run(make('cause-a', '2019', { readFailures: { ts: 'Invalid class' } }), 'set-single-session', { value: 0 });
    expect(out.exitCode).toBe(1);
    expect(out.apply).toBeUndefined();
  });

  it('fails every command on an instance without PowerShell', () => {
    const out = run(make('cause-b', '2008'), 'diagnose');
    expect(out).toMatchObject({ exitCode: 1, stdout: '' });
    expect(out.stderr).toMatch(/^'powershell' is not recognized as an internal or external command,\r\noperable program or batch file\./);
  });

  it('fails an unknown script like PowerShell', () => {
    const inst = make('healthy');
    const out = executeScript(inst, parseScript('# rdpfix-script: reset-grace v1\n$RdpfixParams = \'\'\nReset-Grace -Force'), ctx());
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain("Reset-Grace : The term 'Reset-Grace' is not recognized as the name of a cmdlet");
    expect(out.stderr).toContain('_script.ps1:3 char:1');
    expect(out.stderr).toContain('failed to run commands: exit status 1');
  });

  it('a known script with a broken params line fails itself with a JSON error', () => {
    const out = executeScript(make('healthy'), parseScript('# rdpfix-script: diagnose v2\nWrite-Output x'), ctx());
    expect(out.exitCode).toBe(1);
    expect(lastJsonLine(out.stdout)).toMatchObject({ script: 'diagnose', version: 2, ok: false });
  });

  it('version 1 scripts are modelled as they were (older senders)', () => {
    const inst = make('healthy');
    const out = executeScript(inst, parseScript(renderScriptText('restart-computer', 1, { delaySeconds: 10 })), ctx());
    expect(lastJsonLine(out.stdout)).toMatchObject({ version: 1, ok: true, scheduled: true });
    const lsRole = executeScript(make('cause-b-with-ls-role'), parseScript(renderScriptText('remove-rdsh-role', 1)), ctx());
    expect(lastJsonLine(lsRole.stdout)).toMatchObject({ version: 1, ok: false });
  });

  it('output faults: garbage keeps the effect, truncation pushes output past 24,000, failure skips the effect', () => {
    const inst = make('cause-a');
    const garbage = run(inst, 'set-single-session', { value: 0 }, ctx({ faults: { ...NO_OUTPUT_FAULTS, garbage: true } }));
    expect(garbage.exitCode).toBe(0);
    expect(() => lastJsonLine(garbage.stdout)).toThrow();
    expect(garbage.apply).toBeDefined();
    const long = run(inst, 'diagnose', {}, ctx({ faults: { ...NO_OUTPUT_FAULTS, truncate: true } }));
    expect(long.stdout.length).toBeGreaterThan(24_000);
    expect(lastJsonLine(long.stdout)).toMatchObject({ ok: true });
    const failed = run(inst, 'set-single-session', { value: 0 }, ctx({ faults: { ...NO_OUTPUT_FAULTS, fail: true } }));
    expect(failed).toMatchObject({ exitCode: 1, stdout: '' });
    expect(failed.apply).toBeUndefined();
  });

  it('honours the run-id guard: a second run of one run id does nothing and says already_ran', () => {
    const inst = make('cause-a');
    const seen = new Set<string>();
    const guarded = ctx({ alreadyRan: (id) => seen.has(id) });
    const runId = '0f0e0d0c-0b0a-4908-8706-050403020100';
    const first = run(inst, 'set-single-session', { value: 0, runId }, guarded);
    expect(first.guard).toEqual({ script: 'set-single-session', runId, first: true });
    expect(first.apply).toBeDefined();
    seen.add(runId); // the lifecycle records it, as the script's marker file does
    const second = run(inst, 'set-single-session', { value: 0, runId }, guarded);
    expect(second.guard).toEqual({ script: 'set-single-session', runId, first: false });
    expect(second.apply).toBeUndefined();
    expect(second.exitCode).toBe(1);
    expect(lastJsonLine(second.stdout)).toMatchObject({ ok: false, alreadyRan: true, runId, error: expect.stringMatching(/^already_ran/) });
    // Another run id, or a read-only script, is not affected.
    expect(run(inst, 'set-single-session', { value: 0, runId: '0f0e0d0c-0b0a-4908-8706-050403020101' }, guarded).guard?.first).toBe(true);
    expect(run(inst, 'diagnose', {}, guarded).guard).toBeUndefined();
    // A malformed run id fails like the script's parameter check, doing nothing.
    const bad = run(inst, 'set-single-session', { value: 0, runId: 'nope' }, guarded);
    expect(bad.apply).toBeUndefined();
    expect(lastJsonLine(bad.stdout)).toMatchObject({ ok: false, error: 'bad parameters: runId is not valid' });
  });
});
