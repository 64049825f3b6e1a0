import { spawn } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { Stack } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Issue 11 §14: `rdpfix diagnose | fix | watch | approve | cancel`, the built CLI spawned as an
 * operator runs it, against a real stack. Exit codes say the outcome (0 good, 1 error, 3 failed,
 * 4 refused, 5 cancelled, 6 waiting for approval, 7 timeout); the key comes from the environment
 * or a config file, never a flag; plain lines when not on a terminal, a live bar on one.
 */
describe('rdpfix remediation commands (the built CLI)', () => {
  let stack: Stack;
  let dir: string;
  let supportKey: string;

  const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<Run> => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, LANG: 'C.UTF-8', RDPFIX_LANG: '', RDPFIX_API_URL: stack.apiUrl, RDPFIX_API_KEY: supportKey, RDPFIX_CONFIG: path.join(dir, 'none.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  };
  const idOf = (out: string) => /remediation ([0-9a-f-]{36}) created/.exec(out)![1];

  beforeAll(async () => {
    stack = await Stack.start();
    supportKey = (await stack.createKey('support')).key;
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdpfix-cli-'));
  });
  afterAll(() => stack?.close());

  it('--version and --help describe every subcommand', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(require('../../package.json').version);
    const help = await cli(['--help']);
    for (const c of ['diagnose', 'fix', 'watch', 'approve', 'cancel', 'campaign']) expect(help.stdout).toMatch(new RegExp(`\\n  ${c} .*\\S`));
    const fixHelp = await cli(['fix', '--help']);
    expect(fixHelp.stdout).toMatch(/--allow-reboot/);
    expect(fixHelp.stdout).toMatch(/Exit codes:[\s\S]*6  waiting for approval/);
    expect(fixHelp.stdout).toMatch(/RDPFIX_API_KEY/);
  });

  it('diagnose: exit 0, plain step lines off a terminal, the summary and what a fix would do', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const r = await cli(['diagnose', id, '--region', 'eu-west-1', '--ticket', 'ZD-1001']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/remediation [0-9a-f-]{36} created \(diagnose of i-/);
    expect(r.stdout).toMatch(/\[diagnose\] command_sent: sent diagnose as command/);
    expect(r.stdout).toMatch(/finished: diagnosed/);
    expect(r.stdout).toMatch(/What a fix would do:\n {2}- rdpfix found that/);
    expect(r.stdout).not.toMatch(/\u001b\[/); // no terminal control codes in a pipe
  });

  it('diagnose --lang zh-CN prints Chinese messages and summary', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const r = await cli(['diagnose', id, '--region', 'eu-west-1', '--lang', 'zh-CN']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/已通过命令通道下发脚本 diagnose/);
    expect(r.stdout).toMatch(/rdpfix 已诊断实例/);
    expect(r.stdout).toMatch(/修复方案预览/);
  });

  it('fix --allow-reboot --wait: exit 0 fixed; --json prints the remediation', async () => {
    const id = await stack.instance('2022', 'cause-b');
    const r = await cli(['fix', id, '--region', 'eu-west-1', '--allow-reboot', '--wait', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toEqual(expect.objectContaining({ instanceId: id, state: 'finished', outcome: 'fixed', rebooted: true }));
    expect((await stack.groundTruth(id)).canRdp).toBe(true);
  });

  it('fix --wait without consent: exit 6 waiting for approval; approve --wait: exit 0 fixed', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const parked = await cli(['fix', id, '--region', 'eu-west-1', '--wait']);
    expect(parked.code).toBe(6);
    expect(parked.stdout).toMatch(/is waiting for approval until .*: rdpfix approve [0-9a-f-]{36}/);
    expect(parked.stdout).toMatch(/is waiting for approval; rdpfix has not changed the server yet/);
    const rid = idOf(parked.stdout);
    const approved = await cli(['approve', rid, '--wait']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/approved: removing the Remote Desktop Session Host role, then restarting the server/);
    expect(approved.stdout).toMatch(/finished: fixed/);
    // Approving again is refused by the API: exit 1 with its message.
    const again = await cli(['approve', rid]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/409 invalid_state/);
  });

  it('refused (domain controller): exit 4; failed (agent offline): exit 3', async () => {
    const dc = await stack.instance('2022', 'cause-b', { domain: { role: 5, partOfDomain: true } });
    const refused = await cli(['fix', dc, '--region', 'eu-west-1', '--allow-reboot', '--wait']);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toMatch(/finished: refused \(domain_controller\)/);
    const off = await stack.instance('2019', 'cause-b');
    await stack.setAgent(off, false);
    const failed = await cli(['diagnose', off, '--region', 'eu-west-1']);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/finished: failed \(agent_offline\)/);
  });

  it('cancel a parked fix: exit 0 and the summary; watch then says cancelled with exit 5', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const created = await cli(['fix', id, '--region', 'eu-west-1']);
    expect(created.code).toBe(0);
    const rid = idOf(created.stdout);
    await stack.waitFor(rid, ['awaiting_approval']);
    const c = await cli(['cancel', rid]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/finished: cancelled/);
    expect(c.stdout).toMatch(/Nothing is left pending on the server\./);
    const w = await cli(['watch', rid, '--json']);
    expect(w.code).toBe(5);
    expect(JSON.parse(w.stdout).outcome).toBe('cancelled');
  });

  it('watch --timeout: exit 7 when it has not ended in time', async () => {
    // No worker: the remediation stays queued, so the timeout is what ends the watch.
    await stack.stopInProcessWorker();
    try {
      const r = await stack.submit({ instanceId: await stack.instance('2019', 'healthy'), mode: 'diagnose' });
      const started = Date.now();
      const w = await cli(['watch', r.id, '--timeout', '2']);
      expect(w.code).toBe(7);
      expect(w.stdout).toMatch(/is queued \(step precheck\): --timeout elapsed/);
      expect(Date.now() - started).toBeLessThan(30_000);
      await stack.http('POST', `/v1/remediations/${r.id}/cancel`);
    } finally {
      await stack.startInProcessWorker();
    }
  });

  it('the key: from the config file; never from a flag; none at all is exit 1', async () => {
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ apiUrl: stack.apiUrl, apiKey: supportKey }));
    const id = await stack.instance('2019', 'healthy');
    const fromFile = await cli(['diagnose', id, '--region', 'eu-west-1', '--json'], { RDPFIX_API_KEY: '', RDPFIX_API_URL: '', RDPFIX_CONFIG: config });
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout).outcome).toBe('diagnosed');
    const flag = await cli(['diagnose', id, '--region', 'eu-west-1', '--api-key', supportKey], { RDPFIX_API_KEY: '' });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/unknown option '--api-key'/);
    const none = await cli(['diagnose', id, '--region', 'eu-west-1'], { RDPFIX_API_KEY: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no API key: set RDPFIX_API_KEY or put "apiKey" in/);
  });

  it('bad input: the API\'s field errors, exit 1; a malformed id is refused before any request', async () => {
    const bad = await cli(['diagnose', 'i-uvvtdzuxre', '--region', 'eu-west-1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/400 validation_failed/);
    expect(bad.stderr).toMatch(/ {2}instanceId: instanceId must look like i-0123456789abcdef0 in region eu-west-1/);
    const badId = await cli(['watch', 'not-an-id']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/a remediation id/);
  });

  it('on a terminal: a live step bar with a spinner', async () => {
    const id = await stack.instance('2019', 'cause-a');
    const env = { ...process.env, LANG: 'C.UTF-8', RDPFIX_API_URL: stack.apiUrl, RDPFIX_API_KEY: supportKey, RDPFIX_CONFIG: path.join(dir, 'none.json') };
    // `script` gives the CLI a pseudo-terminal, as an operator's shell would.
    const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} fix ${id} --region eu-west-1 --wait`, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(out).toMatch(/[█░]+ (precheck|diagnose|plan|apply|verify|done) \|/);
    expect(out).toMatch(/✔ .* done \| finished: fixed/);
  });
});
