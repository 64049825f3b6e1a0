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
  // JD Cloud: the simulator's Cloud Assistant + VM front end, a JD region (ids the API accepts today: i- + 8 hex).
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
  const config = loadConfig(process.env, {
    CHANNEL: channel,
    ...(target.jd ? { JDCLOUD_ENDPOINT: sim.url, JDCLOUD_VM_ENDPOINT: sim.url, JDCLOUD_ACCESS_KEY_ID: 'simulator', JDCLOUD_SECRET_ACCESS_KEY: 'simulator' } : {}),
    // The simulator, explicitly (unset, the SDK would go to real AWS with the default credential chain).
    CHANNEL_ENDPOINT: sim.url,
    AWS_ACCESS_KEY_ID: 'simulator',
    AWS_SECRET_ACCESS_KEY: 'simulator',
    INVENTORY_URL: sim.url,
    WORKER_HTTP_PORT: 0,
    QUEUE_PREFIX: `${base.QUEUE_PREFIX}-demo`,
    API_PORT: Number(process.env.API_PORT ?? 0),
    API_HOST: '127.0.0.1',
    POLL_INTERVAL_MS: 250,
    POLL_MAX_INTERVAL_MS: 1000,
    SEND_LOOKUP_DELAY_MS: 2000,
    REBOOT_DELAY_S: 5,
    REBOOT_DEADLINE_S: 120,
    RECONCILE_INTERVAL_MS: 5000,
    // The table below is the demo's output; request logs would bury it (LOG_LEVEL=info shows them).
    LOG_LEVEL: (process.env.LOG_LEVEL as never) ?? 'warn',
  });
  let api: INestApplication | undefined;
  let worker: INestApplicationContext | undefined;
  try {
    api = await createApiApp(config);
    const apiUrl = await listen(api, config);
    worker = await createWorkerApp(config);
    // The demo acts as a support desk: a support key, as a ticket system would hold.
    apiKey = (await api.get(ApiKeyService).create({ name: 'demo-support-desk', role: 'support', rateLimitPerSecond: 1000 })).key;
    console.log(`rdpfix demo: API ${apiUrl} (OpenAPI at ${apiUrl}/docs), simulated cloud ${sim.url}, channel ${channel} (${target.region})\n`);

    const rows = await Promise.all(DEMO_SCENARIOS.map((s) => runScenario(s, apiUrl, sim.url, target)));
    printTable(rows);
    const unexpected = rows.filter((r) => r.outcome.startsWith('?'));
    if (opts.keep) {
      console.log('\n--keep: the stack keeps running; press Ctrl-C to stop.');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return unexpected.length ? 1 : 0;
  } finally {
    await worker?.close();
    await api?.close();
    await sim.close();
  }
}

async function runScenario(s: DemoScenario, apiUrl: string, simUrl: string, target = { region: 'eu-west-1', jd: false }): Promise<Row> {
  const started = Date.now();
  const jdId = target.jd ? { instanceId: `i-${randomBytes(4).toString('hex')}` } : {};
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
  return { scenario: s, instanceId, before, outcome, after, commands: (r.commands ?? []).length, seconds: (Date.now() - started) / 1000 };
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
