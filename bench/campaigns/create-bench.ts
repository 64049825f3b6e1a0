/**
 * `npm run bench:campaign-create`: how long POST /v1/campaigns takes for 100,000 targets given as
 * a JSON list and as an uploaded CSV file (and as an inventory filter), against a separate API
 * process (started like `npm run start:api`) on local PostgreSQL and Redis, with the simulator's
 * inventory holding the 100,000 instances. Prints each run against the 2 s target and the API
 * process's peak RSS (sampled from /proc during each request, and VmHWM).
 *
 * BENCH_TARGETS (default 100000) and BENCH_RUNS (default 3) change the size and the repetitions.
 */
import 'reflect-metadata';
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '@rdpfix/auth';
import { loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { startSimulator } from '../../apps/agent-sim/src/simulator';
import { waitForHttp } from '../support/wait-for-http';

const ROOT = path.resolve(__dirname, '../../..');
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_TARGETS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 2000;

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * CPU time of the PostgreSQL backends serving the bench database, by pid (their process title
 * names the database; other databases on the shared server are not counted).
 */
let benchDb = '';
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(` ${benchDb} `)) out.set(Number(d), cpuMs(Number(d)));
    } catch {
      /* gone */
    }
  }
  return out;
}
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpu()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Times one request while sampling the API's RSS every 10 ms; CPU of the API, PostgreSQL and this process (the simulator). */
async function timed(pid: number, send: () => Promise<Response>): Promise<{ ms: number; status: number; peakRssMb: number; body: any; apiCpuMs: number; pgCpuMs: number; simCpuMs: number }> {
  const cpu0 = cpuMs(pid);
  const pg0 = postgresCpu();
  const self0 = process.cpuUsage();
  let peak = rssKb(pid, 'VmRSS');
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid, 'VmRSS'))), 10);
  const t0 = performance.now();
  const res = await send();
  const body = await res.json();
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, rssKb(pid, 'VmRSS'));
  const self = process.cpuUsage(self0);
  return { ms, status: res.status, peakRssMb: peak / 1024, body, apiCpuMs: cpuMs(pid) - cpu0, pgCpuMs: postgresCpuSince(pg0), simCpuMs: (self.user + self.system) / 1000 };
}

async function main(): Promise<void> {
  const tag = `bench_${randomBytes(3).toString('hex')}`;
  const dbUrl = `${PG}/rdpfix_${tag}`;
  const prefix = `rdpfix-${tag}`;
  await ensureDatabase(dbUrl);
  await runMigrations(dbUrl);
  const config = loadConfig({}, { DATABASE_URL: dbUrl, REDIS_URL, QUEUE_PREFIX: prefix });
  const ds = new DataSource(schemaDataSourceOptions(dbUrl, { extra: { max: 2 } }));
  await ds.initialize();
  const key = (await new ApiKeyService(ds, config).create({ name: 'bench', role: 'fleet', rateLimitPerSecond: 100_000 })).key;

  const sim = await startSimulator({ port: 0 });
  const ids: string[] = [];
  for (let left = N; left > 0; ) {
    const n = Math.min(left, 100_000);
    ids.push(...sim.admin.createFleet({ count: n, tenantId: 'tenant-bench', region: 'eu-west-1', mix: { 'cause-b': 1 } }).instanceIds);
    left -= n;
  }
  const json = Buffer.from(JSON.stringify({ mode: 'diagnose', maxConcurrency: '1%', maxErrors: '1%', targets: ids.map((instanceId) => ({ instanceId, region: 'eu-west-1' })) }));
  const csv = Buffer.from(['instanceId,region', ...ids.map((id) => `${id},eu-west-1`)].join('\n'));

  const port = 3900 + Math.floor(Math.random() * 90);
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    INVENTORY_URL: sim.url,
    CHANNEL_ENDPOINT: sim.url,
    AWS_ACCESS_KEY_ID: 'simulator',
    AWS_SECRET_ACCESS_KEY: 'simulator',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  };
  const api = spawn(process.execPath, ['--max-semi-space-size=32', path.join(ROOT, 'dist/apps/api/src/main.js')], { env, stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${key}` };
  try {
    await waitForHttp(`${url}/health`, 20_000);
    const pid = api.pid!;
    const os = require('os') as typeof import('os');
    console.log(`rdpfix bench:campaign-create — ${N} targets, ${RUNS} run(s) each, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`bodies: JSON ${(json.length / 1e6).toFixed(1)} MB, CSV ${(csv.length / 1e6).toFixed(1)} MB; API RSS at rest ${(rssKb(pid, 'VmRSS') / 1024).toFixed(0)} MB`);
    const cases: [string, () => Promise<Response>][] = [
      ['JSON list', () => fetch(`${url}/v1/campaigns`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: json })],
      [
        'CSV upload',
        () => {
          const form = new FormData();
          form.set('spec', JSON.stringify({ mode: 'diagnose', maxConcurrency: '1%', maxErrors: '1%' }));
          form.set('targets', new Blob([csv], { type: 'text/csv' }), 'targets.csv');
          return fetch(`${url}/v1/campaigns`, { method: 'POST', headers: auth, body: form });
        },
      ],
      ['inventory filter', () => fetch(`${url}/v1/campaigns`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'diagnose', filter: { tenantId: 'tenant-bench' } }) })],
      ['JSON list, ?preview=true', () => fetch(`${url}/v1/campaigns?preview=true`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: json })],
    ];
    const summary: string[] = [];
    benchDb = `rdpfix_${tag}`;
    for (const [name, send] of cases) {
      const times: number[] = [];
      const cpu: string[] = [];
      let peak = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(pid, send);
        if (r.status !== 201 && r.status !== 200) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        if (r.body.targets.eligible !== N) throw new Error(`${name}: ${r.body.targets.eligible} eligible, expected ${N}`);
        times.push(r.ms);
        cpu.push(`${r.apiCpuMs}/${r.pgCpuMs}/${Math.round(r.simCpuMs)}`);
        peak = Math.max(peak, r.peakRssMb);
        // The next run's instances would all be "active remediation elsewhere" only once a worker starts them;
        // without a worker, campaigns stay pending and every run sees the same inventory.
      }
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      const line = `${name.padEnd(26)} ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join('  ')}  (median ${(median / 1000).toFixed(2)} s, target < ${TARGET_MS / 1000} s: ${median < TARGET_MS ? 'met' : 'NOT met'}); API peak RSS ${peak.toFixed(0)} MB; CPU ms api/postgres/simulator ${cpu.join('  ')}`;
      console.log(line);
      summary.push(line);
    }
    console.log(`API VmHWM (peak RSS since start): ${(rssKb(pid, 'VmHWM') / 1024).toFixed(0)} MB; load average now ${(require('os') as typeof import('os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('On a shared machine the wall time follows the load; the CPU figures say what the work itself costs.');
  } finally {
    api.kill('SIGTERM');
    await sim.close();
    await ds.destroy();
    await dropDatabase(dbUrl).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
