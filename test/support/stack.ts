import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import path from 'path';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { INestApplication } from '@nestjs/common';
import { ApiKeyService } from '@rdpfix/auth';
import { AppConfig, loadConfig } from '@rdpfix/config';
import type { Role } from '@rdpfix/domain';
import { QUEUES, remediationJobId } from '@rdpfix/queue';
import { dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { startSimulator } from '../../apps/agent-sim/src/simulator';
import { createApiApp, listen } from '../../apps/api/src/bootstrap';
import { createWorkerApp, workerHttpUrl } from '../../apps/worker/src/bootstrap';

export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve(__dirname, '../..');

export interface StackOptions {
  /** 'in-process' (default), 'none' (start one yourself with spawnWorker) */
  worker?: 'in-process' | 'none';
  config?: Partial<AppConfig>;
  sim?: Record<string, unknown>;
  /** Command channel of the stack: ssm (default) or jdcloud (the simulator's Cloud Assistant front end). */
  channel?: 'ssm' | 'jdcloud';
  /** How the API and workers reach the stack's database (e.g. through a test's TCP proxy). */
  routeDb?: (dbUrl: string) => string;
}

export type Json = Record<string, any>;

/**
 * A whole rdpfix on real PostgreSQL and Redis: its own database and Redis key prefix (so test
 * files can run in parallel), the simulator, the API and, by default, an in-process worker.
 */
export class Stack {
  config!: AppConfig;
  apiUrl!: string;
  simUrl!: string;
  private sim!: Awaited<ReturnType<typeof startSimulator>>;
  private api?: INestApplication;
  private worker?: INestApplication;
  /** The in-process worker's own HTTP port (health, readiness, metrics), once it runs. */
  workerUrl?: string;
  private children: ChildProcess[] = [];
  private readonly outputs = new Map<ChildProcess, () => string>();
  private redis?: Redis;
  readonly dbUrl: string;
  readonly prefix: string;
  /** An admin key with a high rate limit, sent by default by http(). */
  adminKey!: string;

  constructor(private readonly opts: StackOptions = {}) {
    const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
    this.dbUrl = `${PG_BASE}/rdpfix_t_${tag}`;
    this.prefix = `rdpfix-t-${tag}`;
  }

  static async start(opts: StackOptions = {}): Promise<Stack> {
    const s = new Stack(opts);
    await s.boot();
    return s;
  }

  private async boot(): Promise<void> {
    await ensureDatabase(this.dbUrl);
    await runMigrations(this.dbUrl);
    this.sim = await startSimulator({ port: 0, pendingMs: 30, runMs: 60, invisibleMs: 80, rebootDownMs: 400, rebootDelayScale: 0.02, timeoutScale: 0.2, ...(this.opts.sim ?? {}) });
    this.simUrl = this.sim.url;
    this.config = loadConfig({}, {
      DATABASE_URL: this.opts.routeDb ? this.opts.routeDb(this.dbUrl) : this.dbUrl,
      REDIS_URL,
      QUEUE_PREFIX: this.prefix,
      // The simulator, set explicitly (with no CHANNEL_ENDPOINT the SDK goes to real AWS), with
      // static keys (else the SDK's default chain would look for real credentials).
      CHANNEL_ENDPOINT: this.simUrl,
      AWS_ACCESS_KEY_ID: 'simulator',
      AWS_SECRET_ACCESS_KEY: 'simulator',
      INVENTORY_URL: this.simUrl,
      WORKER_HTTP_PORT: 0,
      WORKER_HTTP_HOST: '127.0.0.1',
      ...(this.opts.channel === 'jdcloud'
        ? { CHANNEL: 'jdcloud', JDCLOUD_ENDPOINT: this.simUrl, JDCLOUD_VM_ENDPOINT: this.simUrl, JDCLOUD_DELETE_DELAY_S: 0, JDCLOUD_REQUEST_TIMEOUT_MS: 60000 }
        : {}),
      API_PORT: 0,
      API_HOST: '127.0.0.1',
      POLL_INTERVAL_MS: 100,
      POLL_MAX_INTERVAL_MS: 300,
      SEND_LOOKUP_DELAY_MS: 600,
      REBOOT_DELAY_S: 5,
      REBOOT_DEADLINE_S: 60,
      COMMAND_TIMEOUT_S: 30,
      DELIVERY_TIMEOUT_S: 30,
      RECONCILE_INTERVAL_MS: 500,
      WORKER_LOCK_DURATION_MS: 3000,
      WORKER_STALLED_INTERVAL_MS: 1000,
      CHANNEL_CALLS_PER_SECOND: 1000,
      // Generous: on a loaded 2-core machine the in-process simulator may answer late, and a send
      // cut off by the request timeout is (rightly) an unknown outcome, not a test result.
      CHANNEL_REQUEST_TIMEOUT_MS: 60000,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCALE: 0.001,
      // STACK_LOG=debug (or info) shows the API's and worker's structured logs while a test runs.
      LOG_LEVEL: (process.env.STACK_LOG as never) ?? 'error',
      ...(this.opts.config ?? {}),
    });
    this.api = await createApiApp(this.config);
    this.apiUrl = await listen(this.api, this.config);
    this.adminKey = (await this.createKey('admin', null, 100000)).key;
    if ((this.opts.worker ?? 'in-process') === 'in-process') await this.startInProcessWorker();
  }

  async startInProcessWorker(): Promise<void> {
    if (this.worker) return;
    this.worker = await createWorkerApp(this.config);
    this.workerUrl = await workerHttpUrl(this.worker);
  }

  /** The in-process worker app (to reach its providers), or the API app. */
  get workerApp(): INestApplication | undefined {
    return this.worker;
  }

  get apiApp(): INestApplication | undefined {
    return this.api;
  }

  async stopInProcessWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
    this.workerUrl = undefined;
  }

  /** Creates an API key of a role (console keys need a tenant). */
  async createKey(role: Role, tenantId: string | null = null, rateLimitPerSecond: number | null = 100000, defaultCallbackUrl: string | null = null) {
    return this.api!.get(ApiKeyService).create({ name: `test-${role}`, role, tenantId, rateLimitPerSecond, defaultCallbackUrl });
  }

  /** Environment that makes a child worker process use this stack. */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error' };
    for (const [k, v] of Object.entries(this.config)) if (v !== undefined) env[k] = String(v);
    return env;
  }

  /** Starts the compiled worker (dist/) as a separate process, which a test may kill -9. */
  spawnWorker(opts: { logLevel?: string } = {}): ChildProcess {
    const env = { ...this.env(), ...(opts.logLevel ? { LOG_LEVEL: opts.logLevel } : {}) };
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/worker/src/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Both streams are always read (a full pipe would block the worker); the last 64 KB are kept for a failing test to print.
    let tail = '';
    const keep = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-65_536);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.outputs.set(child, () => tail);
    this.children.push(child);
    return child;
  }

  /** Where a remediation's BullMQ job stands (for a failing test's diagnosis). */
  async jobState(remediationId: string): Promise<Json | null> {
    const queue = new Queue(QUEUES.remediations, { connection: { url: REDIS_URL }, prefix: this.prefix });
    try {
      const job = await queue.getJob(remediationJobId(remediationId));
      if (!job) return null;
      return { state: await job.getState(), attemptsMade: job.attemptsMade, addedAt: job.timestamp, processedOn: job.processedOn, delay: job.delay, failedReason: job.failedReason, counts: await queue.getJobCounts() };
    } finally {
      await queue.close();
    }
  }

  /** The last 64 KB a spawned worker wrote to stdout and stderr. */
  outputOf(child: ChildProcess): string {
    return this.outputs.get(child)?.() ?? '';
  }

  /** A Redis client on the stack's server, for flush tests. */
  redisClient(): Redis {
    this.redis ??= new Redis(REDIS_URL);
    return this.redis;
  }

  /** Deletes every key of this stack's queue prefix: the same as losing Redis, for this stack only. */
  async flushQueueKeys(): Promise<number> {
    const r = this.redisClient();
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) n += await r.del(...keys);
    } while (cursor !== '0');
    return n;
  }

  async http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(url.startsWith('http') ? url : `${this.apiUrl}${url}`, {
      method,
      headers: { 'content-type': 'application/json', ...(url.startsWith('http') ? {} : { authorization: `Bearer ${this.adminKey}` }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Creates a simulated instance and returns its id. */
  async instance(os: string, preset: string, overrides?: Json, tenantId = 'tenant-a', region = 'eu-west-1'): Promise<string> {
    const res = await this.http('POST', `${this.simUrl}/admin/instances`, { tenantId, region, os, preset, overrides });
    if (res.status !== 201) throw new Error(`sim create failed ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.instanceId ?? res.body.instance.instanceId;
  }

  /** Creates a simulated instance from a full admin body (explicit instanceId, idStyle, ...) and returns its id. */
  async instanceFrom(body: Json): Promise<string> {
    const res = await this.http('POST', `${this.simUrl}/admin/instances`, body);
    if (res.status !== 201) throw new Error(`sim create failed ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.instanceId ?? res.body.instance.instanceId;
  }

  async groundTruth(instanceId: string): Promise<{ canRdp: boolean; reasons: string[] }> {
    return (await this.http('GET', `${this.simUrl}/admin/instances/${instanceId}/ground-truth`)).body;
  }

  async simCommands(instanceId: string): Promise<Json[]> {
    const body = (await this.http('GET', `${this.simUrl}/admin/instances/${instanceId}/commands`)).body;
    return Array.isArray(body) ? body : body.commands;
  }

  async setAgent(instanceId: string, online: boolean): Promise<void> {
    await this.http('POST', `${this.simUrl}/admin/instances/${instanceId}/agent`, { online });
  }

  async setFaults(instanceId: string | null, faults: Json): Promise<void> {
    const url = instanceId ? `${this.simUrl}/admin/instances/${instanceId}/faults` : `${this.simUrl}/admin/faults`;
    const res = await this.http('PUT', url, faults);
    if (res.status >= 300) throw new Error(`faults ${res.status} ${JSON.stringify(res.body)}`);
  }

  async submit(body: Json, headers?: Record<string, string>): Promise<Json> {
    const res = await this.http('POST', '/v1/remediations', { region: 'eu-west-1', ...body }, headers);
    if (res.status !== 202) throw new Error(`submit failed ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async get(id: string): Promise<Json> {
    return (await this.http('GET', `/v1/remediations/${id}`)).body;
  }

  /** Polls until the remediation reaches one of `states` (default: finished). */
  async waitFor(id: string, states: string[] = ['finished'], timeoutMs = 60_000): Promise<Json> {
    const until = Date.now() + timeoutMs;
    let r: Json = {};
    while (Date.now() < until) {
      r = await this.get(id);
      if (states.includes(r.state)) return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`remediation ${id} still ${r.state}/${r.step} after ${timeoutMs} ms: ${JSON.stringify(r.timeline?.slice(-5))}`);
  }

  async close(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await this.worker?.close().catch(() => undefined);
    await this.api?.close().catch(() => undefined);
    await this.sim?.close().catch(() => undefined);
    if (this.redis) {
      await this.flushQueueKeys().catch(() => undefined);
      this.redis.disconnect();
    }
    await dropDatabase(this.dbUrl).catch(() => undefined);
  }
}
