/**
 * `npm run bench:api`: diagnose submissions over HTTP (autocannon) against a separate API process
 * on local PostgreSQL and Redis, compared in the same run with the raw floor (insert + enqueue in
 * a plain loop, no HTTP). Prints req/s, p50/p99 latency, and the ratio to the floor.
 * Targets (issue 4): ≥ 0.6× the floor; p99 ≤ 25 ms at 1,000 req/s on a 2-core machine.
 */
import 'reflect-metadata';
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import path from 'path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '@rdpfix/auth';
import { loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { measureFloor } from './floor';
import { waitForHttp } from '../support/wait-for-http';

const ROOT = path.resolve(__dirname, '../../..');
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FIXED_RATE = Number(process.env.BENCH_RATE ?? 1000);
/**
 * autocannon paces each connection on its own timer and they fire together, so a fixed-rate run
 * with N connections offers its load in bursts of N. Fewer connections = smoother arrivals.
 */
const RATE_CONNECTIONS = Number(process.env.BENCH_RATE_CONNECTIONS ?? 10);

let counter = 0;
const runTag = randomBytes(3).toString('hex');
/** A fresh, valid instance id per submission (the same instance twice would be a 409). */
function nextInstanceId(): string {
  counter++;
  return `i-${runTag}${counter.toString(16).padStart(11, '0')}`;
}

function runAutocannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function main(): Promise<void> {
  const tag = `bench_${runTag}`;
  const dbUrl = `${PG}/rdpfix_${tag}`;
  const prefix = `rdpfix-${tag}`;
  await ensureDatabase(dbUrl);
  await runMigrations(dbUrl);
  const config = loadConfig({}, { DATABASE_URL: dbUrl, REDIS_URL, QUEUE_PREFIX: prefix });
  const ds = new DataSource(schemaDataSourceOptions(dbUrl));
  await ds.initialize();
  const key = (await new ApiKeyService(ds, config).create({ name: 'bench', role: 'support', rateLimitPerSecond: 1_000_000 })).key;

  const port = 3900 + Math.floor(Math.random() * 90);
  const env = { ...process.env, DATABASE_URL: dbUrl, REDIS_URL, QUEUE_PREFIX: prefix, API_PORT: String(port), API_HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  // The same node flags as `npm run start:api` and the container (a larger young generation: fewer GC pauses).
  const api = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean), path.join(ROOT, 'dist/apps/api/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, 20_000);
    console.log(`rdpfix bench:api — ${DURATION_S}s per phase, ${CONNECTIONS} connections, node ${process.version}, ${require('os').cpus().length} cores`);

    const floor = await measureFloor(ds, REDIS_URL, prefix, CONNECTIONS, DURATION_S * 1000, nextInstanceId);
    console.log(`floor (insert row + event, add job; no HTTP): ${floor.opsPerSec.toFixed(0)} ops/s, p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`);

    const request = {
      method: 'POST' as const,
      path: '/v1/remediations',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ instanceId: nextInstanceId(), region: 'eu-west-1', mode: 'diagnose', source: 'api' }) }),
    };
    // Warm-up: JIT, connection pools.
    await runAutocannon({ url, connections: 8, duration: 2, requests: [request] });

    const max = await runAutocannon({ url, connections: CONNECTIONS, duration: DURATION_S, requests: [request] });
    const bad = max.non2xx + max.errors + max.timeouts;
    console.log(`api max throughput: ${max.requests.average.toFixed(0)} req/s, p50 ${max.latency.p50} ms, p99 ${max.latency.p99} ms, non-2xx/errors ${bad}`);

    const fixed = await runAutocannon({ url, connections: RATE_CONNECTIONS, duration: DURATION_S, overallRate: FIXED_RATE, requests: [request] });
    const badFixed = fixed.non2xx + fixed.errors + fixed.timeouts;
    console.log(`api at ${FIXED_RATE} req/s offered (${RATE_CONNECTIONS} connections): ${fixed.requests.average.toFixed(0)} req/s served, p50 ${fixed.latency.p50} ms, p99 ${fixed.latency.p99} ms, non-2xx/errors ${badFixed}`);
    // The same rate in bursts of CONNECTIONS, for comparison (see RATE_CONNECTIONS).
    const bursty = await runAutocannon({ url, connections: CONNECTIONS, duration: DURATION_S, overallRate: FIXED_RATE, requests: [request] });
    console.log(`api at ${FIXED_RATE} req/s offered in bursts of ${CONNECTIONS}: ${bursty.requests.average.toFixed(0)} req/s served, p50 ${bursty.latency.p50} ms, p99 ${bursty.latency.p99} ms, non-2xx/errors ${bursty.non2xx + bursty.errors + bursty.timeouts}`);

    const ratio = max.requests.average / floor.opsPerSec;
    console.log('');
    console.log(`ratio api/floor: ${ratio.toFixed(2)} (target >= 0.60) ${ratio >= 0.6 ? 'MET' : 'NOT MET'}`);
    console.log(`p99 at ${FIXED_RATE} req/s (${RATE_CONNECTIONS} connections): ${fixed.latency.p99} ms (target <= 25 ms) ${fixed.latency.p99 <= 25 && fixed.requests.average >= FIXED_RATE * 0.95 ? 'MET' : 'NOT MET'}`);
  } finally {
    api.kill('SIGTERM');
    await ds.destroy();
    const r = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
    r.disconnect();
    await new Promise((res) => setTimeout(res, 500));
    await dropDatabase(dbUrl).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(`bench:api failed: ${(err as Error).message}`);
  process.exit(1);
});
