import { spawn } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { CampaignStack, simFleet, startCampaignStack, waitUntil } from './support/harness';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Issue 10 §11/§14: the built CLI, spawned as an operator would run it. Exit codes are honest:
 * 0 only when every target is fixed, already healthy or diagnosed; 3 completed with failures;
 * 4 stopped on the error budget; 5 cancelled. The key comes from the environment or a config file.
 */
describe('rdpfix campaign (the built CLI)', () => {
  let s: CampaignStack;
  let dir: string;

  const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<Run> & { kill(): void } => {
    const child = spawn(process.execPath, [CLI, 'campaign', ...args], {
      env: { ...process.env, RDPFIX_API_URL: s.stack.apiUrl, RDPFIX_API_KEY: s.keys.fleet, RDPFIX_CONFIG: path.join(dir, 'none.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const p = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) as Promise<Run> & { kill(): void };
    p.kill = () => child.kill('SIGKILL');
    return p;
  };
  const file = (name: string, ids: string[]) => {
    const p = path.join(dir, name);
    writeFileSync(p, ['instanceId,region', ...ids.map((i) => `${i},eu-west-1`)].join('\n'));
    return p;
  };
  const idOf = (out: string) => /campaign ([0-9a-f-]{36}) created/.exec(out)![1];

  beforeAll(async () => {
    s = await startCampaignStack();
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdpfix-cli-'));
  });
  afterAll(async () => s.close());

  it('exit 0 when every target is diagnosed; plain progress lines when not on a terminal; preview creates nothing', async () => {
    const f = file('ok.csv', await simFleet(s.stack, 3));
    const preview = await cli(['start', '--file', f, '--preview']);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/preview \(nothing created\)/);
    expect(preview.stdout).toMatch(/3 to run/);
    const r = await cli(['start', '--file', f, '--mode', 'diagnose', '--max-concurrency', '2', '--watch']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created/);
    expect(r.stdout).toMatch(/max concurrency: 2 \(2\); max errors: 0 \(0\) — stops at the 1st failure/);
    expect(r.stdout).toMatch(/\| done \d+\/3 \|/);
    expect(r.stdout).toMatch(/completed: 3 diagnosed/);
  });

  it('exit 3 when it completed with failures (an unreachable instance); the key may come from the config file', async () => {
    const ids = await simFleet(s.stack, 3);
    await s.stack.setAgent(ids[2], false);
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ apiUrl: s.stack.apiUrl, apiKey: s.keys.fleet }));
    const r = await cli(['start', '--file', file('some-bad.csv', ids), '--watch'], { RDPFIX_API_KEY: '', RDPFIX_API_URL: '', RDPFIX_CONFIG: config });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/completed: 2 diagnosed, 1 unreachable|completed: 1 unreachable, 2 diagnosed/);
    const report = await cli(['report', idOf(r.stdout), '--format', 'csv', '--outcome', 'unreachable']);
    expect(report.code).toBe(0);
    const lines = report.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${ids[2]},eu-west-1,1,done,unreachable,agent_offline,`));
  });

  it('exit 4 when it stopped on its error budget', async () => {
    const ids = await simFleet(s.stack, 4);
    for (const id of ids) await s.stack.setFaults(id, { scriptFailureRate: 1 });
    const r = await cli(['start', '--file', file('failing.csv', ids), '--max-concurrency', '1', '--max-errors', '1', '--watch']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/stopped: 2 failed, 2 not_started|stopped: .*2 failed/);
  });

  it('exit 5 for a watched campaign that is cancelled; cancel says what it stopped', async () => {
    const ids = await simFleet(s.stack, 3);
    for (const id of ids) await s.stack.setFaults(id, { hangScripts: ['diagnose'] });
    // Timeouts must not stop it before the cancel (a hung diagnose times out after a few seconds).
    const started = await cli(['start', '--file', file('hang.csv', ids), '--max-errors', '100%']);
    expect(started.code).toBe(0);
    const id = idOf(started.stdout);
    const watch = cli(['watch', id]);
    // In flight with its diagnose hung (not still in its precheck, which a cancel ends as never started).
    await waitUntil('the first target to hang in its diagnose', async () => {
      const body = (await s.stack.http('GET', `/v1/campaigns/${id}`)).body;
      return body.counts.running === 1 && body.progress.inFlight.oldest[0]?.step === 'diagnose';
    });
    const cancel = await cli(['cancel', id]);
    expect({ code: cancel.code, stderr: cancel.stderr }).toEqual({ code: 0, stderr: '' });
    expect(cancel.stdout).toMatch(/not started: [12]\b/);
    expect(cancel.stdout).toMatch(new RegExp(`(${ids.join('|')}) \\(step diagnose\\): stops before any change`));
    const w = await watch;
    expect(w.code).toBe(5);
    expect(w.stdout).toMatch(/cancelled/);
  });

  it('exit 1 with the API\'s message for bad input, or without a key — never a key on the command line', async () => {
    const bad = await cli(['start', '--file', file('dup.csv', ['i-00000000000000001', 'i-00000000000000001'])]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 3: duplicate instance/);
    const noKey = await cli(['status', '00000000-0000-4000-8000-000000000000'], { RDPFIX_API_KEY: '' });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/no API key: set RDPFIX_API_KEY/);
    const flag = await cli(['start', '--api-key', 'x', '--filter-tenant', 'tenant-a']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/unknown option '--api-key'/);
  });
});
