import { ChildProcess, spawn } from 'child_process';
import path from 'path';
import { withTimeout } from '@rdpfix/observability';
import { createApiApp, listen } from '../../apps/api/src/bootstrap';
import { Stack } from '../support/stack';
import { DelayingProxy } from './support/delaying-proxy';

const ROOT = path.resolve(__dirname, '../..');

/** A compiled worker process (npm run build first) whose logs the test reads. */
function startWorker(stack: Stack, env: Record<string, string>): { child: ChildProcess; logs: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
  let out = '';
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/worker/src/main.js')], { env: { ...stack.env(), LOG_LEVEL: 'info', WORKER_HTTP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, logs: () => out, exited };
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * SIGTERM lands while the worker is mid-step: the SendCommand of the fix reached the simulator
 * and its answer is held back by a proxy. With a long enough grace the step finishes in the
 * old process; with a short one the job is handed back and the new worker takes over. Either
 * way the remediation completes on a new worker and the simulator ran each script ONCE.
 */
describe('graceful shutdown of the worker', () => {
  let stack: Stack;
  let proxy: DelayingProxy;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
    proxy = await DelayingProxy.start(stack.simUrl, (req) => req.includes('AmazonSSM.SendCommand') && req.includes('rdpfix-script: set-single-session'));
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await proxy?.close();
    await stack?.close();
  });

  async function scenario(graceMs: number, holdMs: number) {
    const instanceId = await stack.instance('2019', 'cause-a');
    proxy.holdMs = holdMs;
    const first = startWorker(stack, { CHANNEL_ENDPOINT: proxy.url, SHUTDOWN_GRACE_MS: String(graceMs) });
    children.push(first.child);
    const holding = new Promise<void>((r) => proxy.once('holding', () => r()));
    const r = await stack.submit({ instanceId, mode: 'fix' });
    await withTimeout(holding, 60_000, 'sending the fix');
    first.child.kill('SIGTERM');
    return { instanceId, remediationId: r.id as string, first };
  }

  async function countScripts(instanceId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const c of await stack.simCommands(instanceId)) counts[c.scriptName] = (counts[c.scriptName] ?? 0) + 1;
    return counts;
  }

  it('lets the step in flight finish within the grace period, exits, and a new worker completes the remediation', async () => {
    const { instanceId, remediationId, first } = await scenario(20_000, 2_000);
    const exit = await withTimeout(first.exited, 45_000, () => `the worker's exit (its logs:\n${first.logs()})`);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(first.logs()).toContain('taking no new jobs; 1 step(s) in flight');
    expect(first.logs()).toContain('every step in flight finished; nothing handed back');
    // The old process recorded the send's answer before it left: the run has its command id.
    const before = await stack.get(remediationId);
    expect(before.state).not.toBe('finished');

    const second = startWorker(stack, {});
    children.push(second.child);
    expect((await stack.waitFor(remediationId, ['finished'], 90_000)).outcome).toBe('fixed');
    expect(await countScripts(instanceId)).toEqual({ diagnose: 1, 'set-single-session': 1, verify: 1 });
    expect((await stack.groundTruth(instanceId)).canRdp).toBe(true);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 180_000);

  it('hands back a step that outlives the grace period; a new worker takes it over and nothing is sent twice', async () => {
    const { instanceId, remediationId, first } = await scenario(300, 6_000);
    await until(() => /handed back 1 of 1 remediation job/.test(first.logs()), 30_000, `the worker logged the hand-back:\n${first.logs()}`);
    expect(first.logs()).toContain(remediationId);
    // A new worker starts at once; the handed-back job is waiting for it (no lock to lapse).
    const second = startWorker(stack, {});
    children.push(second.child);
    expect((await stack.waitFor(remediationId, ['finished'], 90_000)).outcome).toBe('fixed');
    const exit = await withTimeout(first.exited, 45_000, "the worker's exit");
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(await countScripts(instanceId)).toEqual({ diagnose: 1, 'set-single-session': 1, verify: 1 });
    expect((await stack.groundTruth(instanceId)).canRdp).toBe(true);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 180_000);
});

/**
 * The API on shutdown: open event streams end with a final `reconnect` event (clients resume
 * with Last-Event-ID on another replica) instead of a silent drop.
 */
describe('graceful shutdown of the API', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
  }, 60_000);

  afterAll(async () => stack?.close());

  it('ends an open event stream with a reconnect event', async () => {
    const api = await createApiApp(stack.config);
    const url = await listen(api, stack.config);
    const instanceId = await stack.instance('2019', 'cause-a');
    const created = await stack.http('POST', `${url}/v1/remediations`, { instanceId, region: 'eu-west-1', mode: 'diagnose' }, { authorization: `Bearer ${stack.adminKey}` });
    expect(created.status).toBe(202);
    const res = await fetch(`${url}/v1/remediations/${created.body.id}/events`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    // The `created` event first: the stream is live.
    while (!text.includes('event: created')) text += new TextDecoder().decode((await reader.read()).value);
    const closing = api.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    expect(text).toMatch(/event: reconnect\ndata: \{"reason":"server_shutdown"/);
    expect(text.trimEnd().split('\n\n').pop()).toMatch(/^event: reconnect/);
  }, 60_000);
});
