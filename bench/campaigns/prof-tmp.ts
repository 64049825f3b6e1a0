import 'reflect-metadata';
import { Session } from 'inspector';
import { writeFileSync } from 'fs';
import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '@rdpfix/auth';
import { loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { createApiApp, listen } from '../../apps/api/src/bootstrap';

async function main() {
  const tag = randomBytes(3).toString('hex');
  const dbUrl = `postgres://postgres@127.0.0.1:5432/rdpfix_prof_${tag}`;
  await ensureDatabase(dbUrl);
  await runMigrations(dbUrl);
  const { spawn } = require('child_process');
  const simPort = 4700 + Math.floor(Math.random() * 100);
  const child = spawn(process.execPath, ['dist/apps/agent-sim/src/main.js'], { env: { ...process.env, SIM_PORT: String(simPort), SIM_HOST: '127.0.0.1', SIM_LOG: '0' }, stdio: 'ignore' });
  const sim = { url: `http://127.0.0.1:${simPort}`, close: async () => child.kill() };
  for (let i = 0; i < 100; i++) { try { if ((await fetch(sim.url + '/health')).ok) break; } catch {} await new Promise((r) => setTimeout(r, 200)); }
  const ids: string[] = ((await (await fetch(sim.url + '/admin/fleet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 100000, tenantId: 't', region: 'eu-west-1', mix: { healthy: 1 } }) })).json()) as any).instanceIds;
  const config = loadConfig({}, { DATABASE_URL: dbUrl, QUEUE_PREFIX: `prof-${tag}`, INVENTORY_URL: sim.url, CHANNEL_ENDPOINT: sim.url, API_PORT: 0, API_HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
  const app = await createApiApp(config);
  const url = await listen(app, config);
  const ds = new DataSource(schemaDataSourceOptions(dbUrl));
  await ds.initialize();
  const key = (await new ApiKeyService(ds, config).create({ name: 'p', role: 'fleet', rateLimitPerSecond: 1000 })).key;
  const body = Buffer.from(JSON.stringify({ mode: 'diagnose', targets: ids.map((instanceId) => ({ instanceId, region: 'eu-west-1' })) }));
  const post = () => fetch(`${url}/v1/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  await (await post()).json(); // warm-up
  const s = new Session();
  s.connect();
  await new Promise<void>((r) => s.post('Profiler.enable', () => s.post('Profiler.start', () => r())));
  const t0 = Date.now();
  const res: any = await (await post()).json();
  console.log('ms', Date.now() - t0, res.targets);
  const prof: any = await new Promise((r) => s.post('Profiler.stop', (_e, p) => r(p.profile)));
  writeFileSync('/tmp/create.cpuprofile', JSON.stringify(prof));
  // self time by function
  const byId = new Map(prof.nodes.map((n: any) => [n.id, n]));
  const self = new Map<string, number>();
  const dt = prof.timeDeltas; const samples = prof.samples;
  for (let i = 0; i < samples.length; i++) { const n: any = byId.get(samples[i]); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [k, v] of top) console.log((v / 1000).toFixed(0).padStart(6), 'ms', k);
  await app.close(); await sim.close(); await ds.destroy(); await dropDatabase(dbUrl);
}
main().catch((e) => { console.error(e); process.exit(1); });
