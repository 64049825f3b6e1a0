import { randomBytes } from 'crypto';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { ApiKeyService } from '@rdpfix/auth';
import { loadConfig } from '@rdpfix/config';
import { ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { startSimulator } from '../../../agent-sim/src/simulator';
import { createApiApp, listen } from '../../../api/src/bootstrap';
import { createWorkerApp } from '../../../worker/src/bootstrap';
import { DEMO_SCENARIOS, DemoScenario } from '../demo/demo-scenarios';
import { preflight } from '../preflight';

interface Row {
  scenario: DemoScenario;
  instanceId: string;
  before: string;
  outcome: string;
  after: string;
  commands: number;
  seconds: number;
  remediationId: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let apiKey = '';

/**
 * `rdpfix demo`: the main job on a fresh machine. Local PostgreSQL and Redis, the built-in
 * simulator as the cloud, the real API, queue, worker and SSM SDK in one process.
 */
export async function demoCommand(opts: { keep: boolean; channel?: string }): Promise<number> {
  const channel = opts.channel ?? 'ssm';
  if (channel !== 'ssm' && channel !== 'jdcloud') {
    console.error(`--channel must be ssm or jdcloud, not ${channel}`);
    return 1;
  }
  // JD Cloud: the simulator's Cloud Assistant + VM front end, a JD region and JD-style instance ids.
  const target = channel === 'jdcloud' ? { region: 'cn-north-1', jd: true } : { region: 'eu-west-1', jd: false };
  const base = loadConfig();
  const problems = await preflight(base.DATABASE_URL, base.REDIS_URL);
  if (problems.length) {
    for (const p of problems) console.error(p);
    return 1;
  }
  await ensureDatabase(base.DATABASE_URL);
  await runMigrations(base.DATABASE_URL);

  const sim = await startSimulator({ port: 0, pendingMs: 100, runMs: 250, invisibleMs: 150, rebootDownMs: 1500, rebootDelayScale: 0.05 });
  // The demo's own queue prefix and a webhook secret of its own (not the public development default,
  // whose warning would land in the middle of the table): both unless the environment sets them.
  const webhookSecret = process.env.WEBHOOK_SECRET || `whsec_${randomBytes(32).toString('base64')}`;
  const config = loadConfig(process.env, {
    CHANNEL: channel,
    WEBHOOK_SECRET: webhookSecret,
    ...(target.jd ? { JDCLOUD_ENDPOINT: sim.url, JDCLOUD_VM_ENDPOINT: sim.url, JDCLOUD_ACCESS_KEY_ID: 'simulator', JDCLOUD_SECRET_ACCESS_KEY: 'simulator' } : {}),
    // The simulator, explicitly (unset, the SDK would go to real AWS with the default credential chain).
    CHANNEL_ENDPOINT: sim.url,
    AWS_ACCESS_KEY_ID: 'simulator',
    AWS_SECRET_ACCESS_KEY: 'simulator',
    INVENTORY_URL: sim.url,
    WORKER_HTTP_PORT: 0,
    QUEUE_PREFIX: process.env.QUEUE_PREFIX || 'rdpfix-demo',
    // API_PORT when set (e.g. to try the API at a known address with --keep); any free port otherwise.
    API_PORT: Number(process.env.API_PORT || 0),
    API_HOST: '127.0.0.1',
    POLL_INTERVAL_MS: 250,
    POLL_MAX_INTERVAL_MS: 1000,
    SEND_LOOKUP_DELAY_MS: 2000,
    REBOOT_DELAY_S: 5,
    REBOOT_DEADLINE_S: 120,
    RECONCILE_INTERVAL_MS: 5000,
    // The table below is the demo's output; request logs would bury it (LOG_LEVEL=info shows them).
    LOG_LEVEL: (process.env.LOG_LEVEL || 'warn') as never,
  });
  let api: INestApplication | undefined;
  let worker: INestApplicationContext | undefined;
  // One shutdown, ours: Nest's own signal hooks are off here (they would close each app a second
  // time: "Called end on pool more than once"). A second Ctrl-C while closing forces the exit.
  let stopRequested: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    stopRequested?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    api = await createApiApp(config, { shutdownHooks: false });
    const apiUrl = await listen(api, config);
    worker = await createWorkerApp(config, { shutdownHooks: false });
    // The demo acts as a support desk: a support key, as a ticket system would hold.
    apiKey = (await api.get(ApiKeyService).create({ name: 'demo-support-desk', role: 'support', rateLimitPerSecond: 1000 })).key;
    console.log(`rdpfix demo: API ${apiUrl} (OpenAPI at ${apiUrl}/docs), simulated cloud ${sim.url}, channel ${channel} (${target.region})`);
    console.log(`database ${redactUrl(config.DATABASE_URL)}, queue prefix ${config.QUEUE_PREFIX}${process.env.WEBHOOK_SECRET ? '' : ', webhooks signed with a secret made for this run'}\n`);

    const all = Promise.all(DEMO_SCENARIOS.map((s) => runScenario(s, apiUrl, sim.url, target)));
    all.catch(() => undefined); // interrupted: the scenarios' requests fail as the stack closes
    const rows = await Promise.race([all, stopped.then(() => null)]);
    if (!rows) {
      console.log('\ninterrupted: shutting down');
      return 130;
    }
    printTable(rows);
    const unexpected = rows.filter((r) => r.outcome.startsWith('?'));
    if (opts.keep) {
      const preview = rows.find((r) => r.scenario.request.mode === 'diagnose') ?? rows[0];
      console.log('\n--keep: the stack keeps running; press Ctrl-C to stop.');
      console.log(`API key (support role, valid while the demo runs): ${apiKey}`);
      console.log(`try: curl -s -H "authorization: Bearer ${apiKey}" -H "accept-language: zh-CN" ${apiUrl}/v1/remediations/${preview.remediationId}`);
      await stopped;
      console.log('\nshutting down');
    }
    return unexpected.length ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await worker?.close();
    await api?.close();
    await sim.close();
  }
}

/** A database URL without its password. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

async function runScenario(s: DemoScenario, apiUrl: string, simUrl: string, target = { region: 'eu-west-1', jd: false }): Promise<Row> {
  const started = Date.now();
  const jdId = target.jd ? { idStyle: 'jdcloud' } : {};
  const inst = await json(`${simUrl}/admin/instances`, 'POST', { tenantId: 'tenant-demo', region: target.region, os: s.os, preset: s.preset, overrides: s.overrides, ...jdId });
  const instanceId = (inst.instanceId ?? inst.instance?.instanceId) as string;
  if (s.agentOffline) await json(`${simUrl}/admin/instances/${instanceId}/agent`, 'POST', { online: false });
  const before = await groundTruth(simUrl, instanceId);
  const created = await json(`${apiUrl}/v1/remediations`, 'POST', { instanceId, region: target.region, source: 'ticket', ticketRef: `DEMO-${instanceId.slice(-6)}`, ...s.request });
  const id = created.id as string;
  let r: Record<string, any> = created;
  for (let i = 0; i < 600; i++) {
    await sleep(250);
    r = await json(`${apiUrl}/v1/remediations/${id}`, 'GET');
    if (r.state === 'awaiting_approval' && s.approve) await json(`${apiUrl}/v1/remediations/${id}/approve`, 'POST', {});
    if (r.state === 'finished') break;
  }
  const after = await groundTruth(simUrl, instanceId);
  const outcome = r.state === 'finished' ? `${r.outcome}${r.reason ? ` (${r.reason})` : ''}` : `? still ${r.state}`;
  return { scenario: s, instanceId, before, outcome, after, commands: (r.commands ?? []).length, seconds: (Date.now() - started) / 1000, remediationId: id };
}

async function groundTruth(simUrl: string, instanceId: string): Promise<string> {
  const g = await json(`${simUrl}/admin/instances/${instanceId}/ground-truth`, 'GET');
  return g.canRdp ? 'RDP ok' : `no RDP: ${(g.reasons as string[]).join(', ')}`;
}

async function json(url: string, method: 'GET' | 'POST', body?: unknown): Promise<Record<string, any>> {
  const auth: Record<string, string> = apiKey && url.includes('/v1/') ? { authorization: `Bearer ${apiKey}` } : {};
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...auth }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

function printTable(rows: Row[]): void {
  const head = ['scenario', 'OS', 'before', 'outcome', 'after', 'cmds', 'secs'];
  const data = rows.map((r) => [r.scenario.title, r.scenario.os, r.before, r.outcome, r.after, String(r.commands), r.seconds.toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...data.map((d) => d[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const d of data) console.log(line(d));
}
