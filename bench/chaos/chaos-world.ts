import { ChildProcess, spawn } from 'child_process';
import path from 'path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '@rdpfix/auth';
import { AppConfig, loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { startSimulator } from '../../apps/agent-sim/src/simulator';
import { NO_FAULTS } from '../../apps/agent-sim/src/faults/fault-config';
import { TcpProxy } from '../../test/support/tcp-proxy';

const ROOT = path.resolve(__dirname, '../../..');
const PG = process.env.CHAOS_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.CHAOS_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Everything a chaos run needs: its own database and prefix, proxies, the simulator, API and worker processes. */
export class ChaosWorld {
  config!: AppConfig;
  ds!: DataSource;
  redis!: Redis;
  pgProxy!: TcpProxy;
  redisProxy!: TcpProxy;
  sim!: Awaited<ReturnType<typeof startSimulator>>;
  apiUrl = '';
  key = '';
  /** Whether this simulator build knows the dropped-send-response fault (issue 8 send path). */
  dropSendSupported = 'dropSendResponseRate' in NO_FAULTS;
  private api?: ChildProcess;
  private worker?: ChildProcess;
  workerStarts = 0;
  /** Spawn → taking jobs, per start (ms): the kill interval counts from there. */
  bootMs: number[] = [];
  private queue?: Queue;
  workerDeaths: string[] = [];

  constructor(
    readonly tag: string,
    private readonly seed: number,
  ) {}

  get dbUrl(): string {
    return `${PG}/rdpfix_chaos_${this.tag}`;
  }

  async start(): Promise<void> {
    await ensureDatabase(this.dbUrl);
    await runMigrations(this.dbUrl);
    this.pgProxy = await TcpProxy.start(PG);
    this.redisProxy = await TcpProxy.start(REDIS_URL);
    this.sim = await startSimulator({
      port: 0,
      seed: this.seed,
      pendingMs: 100,
      runMs: 300,
      invisibleMs: 150,
      rebootDownMs: 2000,
      rebootDelayScale: 0.05,
      timeoutScale: 0.1,
      faults: { throttleRate: 0.1, garbageOutputRate: 0.02, ...({ dropSendResponseRate: 0.05 } as object) },
    });
    const port = 4100 + Math.floor(Math.random() * 800);
    this.config = loadConfig({}, {
      DATABASE_URL: this.pgProxy.urlFor(this.dbUrl),
      REDIS_URL: this.redisProxy.urlFor(REDIS_URL),
      QUEUE_PREFIX: `rdpfix-chaos-${this.tag}`,
      CHANNEL_ENDPOINT: this.sim.url,
      INVENTORY_URL: this.sim.url,
      API_PORT: port,
      API_HOST: '127.0.0.1',
      POLL_INTERVAL_MS: 250,
      POLL_MAX_INTERVAL_MS: 1000,
      SEND_LOOKUP_DELAY_MS: 1000,
      REBOOT_DELAY_S: 5,
      REBOOT_DEADLINE_S: 90,
      COMMAND_TIMEOUT_S: 30,
      DELIVERY_TIMEOUT_S: 30,
      REMEDIATION_DEADLINE_S: Number(process.env.CHAOS_DEADLINE_S ?? 300),
      APPROVAL_TTL_S: 600,
      RECONCILE_INTERVAL_MS: 2000,
      WORKER_CONCURRENCY: 20,
      WORKER_LOCK_DURATION_MS: 5000,
      WORKER_STALLED_INTERVAL_MS: 2000,
      CHANNEL_CALLS_PER_SECOND: 1000,
      CHANNEL_BUDGET_WAIT_MS: 500,
      AUTH_CACHE_MS: 0,
      RATE_LIMIT_PER_SECOND: 100000,
      LOG_LEVEL: 'error',
    });
    // Bench-side reads go straight to PostgreSQL and Redis, not through the proxies.
    this.ds = new DataSource(schemaDataSourceOptions(this.dbUrl));
    await this.ds.initialize();
    this.redis = new Redis(REDIS_URL);
    this.key = (await new ApiKeyService(this.ds, this.config).create({ name: 'chaos', role: 'admin', rateLimitPerSecond: 1_000_000 })).key;
    this.api = spawn(process.execPath, [path.join(ROOT, 'dist/apps/api/src/main.js')], { env: this.env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let apiErr = '';
    this.api.stderr?.on('data', (d: Buffer) => (apiErr = (apiErr + d.toString()).slice(-2000)));
    this.apiUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${this.apiUrl}/health`)).ok, 60_000, 'the API').catch((err: Error) => {
      throw new Error(`${err.message}: ${apiErr.split('\n').filter((l) => !/AWS SDK|node >=22|a.co|upgrade|trace-warnings|^\s*$/.test(l)).slice(-5).join(' | ')}`);
    });
    this.queue = new Queue('remediations', { connection: { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) }, prefix: this.config.QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
    this.startWorker();
  }

  /** Waits until the current worker process has connected to the queue (bounded), so a kill lands on a working worker. */
  async workerUp(maxMs = 30_000): Promise<void> {
    const started = Date.now();
    const w = this.worker;
    while (Date.now() - started < maxMs && w && w.exitCode === null) {
      if ((await this.queue!.getWorkersCount().catch(() => 0)) > 0) {
        this.bootMs.push(Date.now() - started);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.config)) if (v !== undefined) env[k] = String(v);
    return env;
  }

  startWorker(): void {
    const w = spawn(process.execPath, [path.join(ROOT, 'dist/apps/worker/src/main.js')], { env: this.env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    w.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-800)));
    w.on('exit', (code, signal) => {
      // A death we did not cause (not SIGKILL from the chaos loop) is a crash.
      if (signal !== 'SIGKILL') this.workerDeaths.push(`worker exited ${code ?? signal}: ${tail.trim().split('\n').slice(-3).join(' | ')}`);
    });
    this.worker = w;
    this.workerStarts++;
  }

  /** kill -9 of the worker process; a fresh one starts after `restartAfterMs`. */
  async killWorker(restartAfterMs: number): Promise<void> {
    const w = this.worker;
    if (w && w.exitCode === null && w.signalCode === null) {
      const gone = new Promise((r) => w.once('exit', r));
      w.kill('SIGKILL');
      await gone;
    }
    await new Promise((r) => setTimeout(r, restartAfterMs));
    this.startWorker();
  }

  async http(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    try {
      const res = await fetch(`${this.apiUrl}${url}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    } catch {
      return { status: 0, body: null }; // no answer at all (the API never went down here, so rare)
    }
  }

  async simHttp(method: string, url: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.sim.url}${url}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  }

  async close(): Promise<void> {
    this.pgProxy?.restore();
    this.redisProxy?.restore();
    for (const p of [this.worker, this.api]) if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await this.queue?.close().catch(() => undefined);
    await this.sim?.close().catch(() => undefined);
    await this.ds?.destroy().catch(() => undefined);
    if (this.redis) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await this.redis.del(...keys);
      } while (cursor !== '0');
      this.redis.disconnect();
    }
    await this.pgProxy?.stop();
    await this.redisProxy?.stop();
    await dropDatabase(this.dbUrl).catch(() => undefined);
  }
}

async function waitFor(fn: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up`);
}
