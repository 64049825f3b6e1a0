import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';

/** true/false words to booleans; anything else stays a string, so @IsBoolean refuses it (a typo used to mean false). */
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
};

/**
 * Every environment variable rdpfix reads, with its default. One class for all apps so the
 * README's configuration table has one source. Validated at boot: a bad value stops the process
 * with a message naming the variable, instead of an opaque failure later.
 */
export class AppConfig {
  @IsString() DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/rdpfix';
  /** Most PostgreSQL connections the API (and any other process but the worker) opens. */
  @Type(() => Number) @IsInt() @Min(1) @Max(200) DB_POOL_MAX = 10;
  /**
   * Most PostgreSQL connections a worker opens. A campaign worker runs hundreds of short
   * statements at once; with 10, queries queued for a connection (up to 50 waiting on the
   * 10,000 bench) and the run took 57–61 s; with 20, 53–56 s.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(200) WORKER_DB_POOL_MAX = 20;
  @IsString() REDIS_URL = 'redis://127.0.0.1:6379';
  /** BullMQ key prefix; tests use a unique one per file. */
  @IsString() QUEUE_PREFIX = 'rdpfix';

  @IsString() API_HOST = '0.0.0.0';
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) API_PORT = 3000;
  /** Maximum JSON request body, in bytes. */
  @Type(() => Number) @IsInt() @Min(1024) @Max(1048576) API_BODY_LIMIT = 16384;

  /** Default command-channel adapter: `ssm` (AWS SSM Run Command) or `jdcloud` (JD Cloud Cloud Assistant). */
  @IsIn(['ssm', 'jdcloud']) CHANNEL = 'ssm';
  /** Optional JSON object region -> channel (`ssm` | `jdcloud`), overriding CHANNEL per region. */
  @IsOptional() @IsString() CHANNEL_BY_REGION?: string;
  /**
   * SSM endpoint for every region. Unset (production): each region uses its real regional AWS
   * endpoint. The demo, the tests and docker-compose set it to the simulator explicitly.
   */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) CHANNEL_ENDPOINT?: string;
  /** Optional JSON object region -> endpoint URL, overriding CHANNEL_ENDPOINT per region. */
  @IsOptional() @IsString() CHANNEL_ENDPOINTS?: string;
  /**
   * Static AWS keys, used only when both are set. Unset: the SDK's default credential provider
   * chain (environment, shared config and profiles, SSO, web identity, container and instance
   * roles), which is what AWS users expect.
   */
  @IsOptional() @IsString() AWS_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() AWS_SECRET_ACCESS_KEY?: string;
  @IsOptional() @IsString() AWS_SESSION_TOKEN?: string;
  /**
   * Regions this deployment serves (comma list). Validated at boot (names, and every region of
   * the per-region maps must be in it); requests and campaign targets in another region are 400.
   * Empty: every built-in AWS and JD Cloud region.
   */
  @Matches(/^[a-z0-9, -]*$/, { message: 'REGIONS must be a comma list of region names' }) REGIONS = '';
  /** TCP connect limit of every AWS call (SSM, EC2): a dead endpoint fails fast. */
  @Type(() => Number) @IsInt() @Min(100) @Max(60000) CHANNEL_CONNECT_TIMEOUT_MS = 3000;
  /** Whole-request limit of every AWS call: an endpoint that accepts and never answers frees the worker slot. */
  @Type(() => Number) @IsInt() @Min(100) @Max(120000) CHANNEL_REQUEST_TIMEOUT_MS = 10000;
  /** SDK attempts per channel call (throttling is retried with backoff + jitter by the SDK). */
  @Type(() => Number) @IsInt() @Min(1) @Max(10) CHANNEL_MAX_ATTEMPTS = 3;
  /** Shared budget of channel API calls per second across all workers (Redis token bucket). */
  @Type(() => Number) @IsInt() @Min(1) @Max(10000) CHANNEL_CALLS_PER_SECOND = 50;
  /** Longest wait for the shared budget's answer (Redis); past it the step reschedules (issue 8). */
  @Type(() => Number) @IsInt() @Min(50) @Max(60000) CHANNEL_BUDGET_WAIT_MS = 2000;

  // --- JD Cloud Cloud Assistant (channel `jdcloud`, docs/channels.md) ---
  /** Cloud Assistant endpoint for every JD region (the simulator in tests and the demo). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) JDCLOUD_ENDPOINT = 'https://assistant.jdcloud-api.com';
  /** Optional JSON object region -> URL, overriding JDCLOUD_ENDPOINT per region. */
  @IsOptional() @IsString() JDCLOUD_ENDPOINTS?: string;
  /** JD Cloud VM API (describeInstances, rebootInstance). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) JDCLOUD_VM_ENDPOINT = 'https://vm.jdcloud-api.com';
  @IsString() JDCLOUD_ACCESS_KEY_ID = 'simulator';
  @IsString() JDCLOUD_SECRET_ACCESS_KEY = 'simulator';
  /** Optional JSON file {"accessKeyId","secretAccessKey"}; takes precedence over the two variables. */
  @IsOptional() @IsString() JDCLOUD_CREDENTIALS_FILE?: string;
  @Type(() => Number) @IsInt() @Min(100) @Max(60000) JDCLOUD_CONNECT_TIMEOUT_MS = 5000;
  /** Whole-request limit of one Cloud Assistant / VM call (the JD SDKs use 10 s). */
  @Type(() => Number) @IsInt() @Min(100) @Max(120000) JDCLOUD_REQUEST_TIMEOUT_MS = 10000;
  /** commandContent limit in bytes (docs: < 16 KB; the Go SDK says 36 KB, not verified). Checked at startup against every script. */
  @Type(() => Number) @IsInt() @Min(1000) @Max(36864) JDCLOUD_MAX_SCRIPT_BYTES = 16000;
  /** A finished command is deleted (deleteCommands) this long after its invocation was seen finished. */
  @Type(() => Number) @IsInt() @Min(0) @Max(86400) JDCLOUD_DELETE_DELAY_S = 600;
  /** VM tag whose value names the owning tenant (inventory on JD Cloud). */
  @IsString() JDCLOUD_OWNER_TAG_KEY = 'tenant';
  /** Cloud inventory (owner, region, platform of an instance); the simulator serves one. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) INVENTORY_URL = 'http://127.0.0.1:4566';
  /** Optional bearer token sent to the HTTP inventory (docs/inventory.md); never logged. */
  @IsOptional() @IsString() INVENTORY_TOKEN?: string;
  /** Inventory adapter: `http` (INVENTORY_URL), `aws` (EC2 DescribeInstances + SSM), `jdcloud` (JD VM API). */
  @IsIn(['http', 'aws', 'jdcloud']) INVENTORY = 'http';
  /** Optional JSON object region -> inventory adapter, overriding INVENTORY per region. */
  @IsOptional() @IsString() INVENTORY_BY_REGION?: string;
  /** EC2 tag whose value names the owning tenant (AWS inventory). */
  @IsString() AWS_TENANT_TAG_KEY = 'tenant';
  /** EC2 endpoint for every region (tests point it at a fake); unset = the real regional endpoint. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) EC2_ENDPOINT?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WORKER_CONCURRENCY = 20;
  /** The worker's own small HTTP port: /health/live, /health/ready and /metrics (0 = any free port). */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) WORKER_HTTP_PORT = 3001;
  @IsString() WORKER_HTTP_HOST = '0.0.0.0';
  /** On SIGTERM, how long in-flight steps may take to finish before their jobs are handed back. */
  @Type(() => Number) @IsInt() @Min(0) @Max(600000) SHUTDOWN_GRACE_MS = 20000;
  @Type(() => Number) @IsInt() @Min(1000) WORKER_LOCK_DURATION_MS = 30000;
  @Type(() => Number) @IsInt() @Min(1000) WORKER_STALLED_INTERVAL_MS = 30000;
  /** First poll of a sent command after this long; later polls back off up to the maximum. */
  @Type(() => Number) @IsInt() @Min(10) POLL_INTERVAL_MS = 2000;
  @Type(() => Number) @IsInt() @Min(10) POLL_MAX_INTERVAL_MS = 15000;
  /** A command whose send outcome is unknown is looked up (by its marker) after this long, then again until the bound below. */
  @Type(() => Number) @IsInt() @Min(10) SEND_LOOKUP_DELAY_MS = 5000;
  /**
   * Lookups of a changing command whose send outcome is unknown stop this long after the send
   * (never later than DELIVERY_TIMEOUT_S; unset = DELIVERY_TIMEOUT_S); the run then ends
   * send_outcome_unknown and is never resent (docs/at-most-once.md).
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2592000) SEND_LOOKUP_MAX_S?: number;
  /** executionTimeout passed to the channel for each script. */
  @Type(() => Number) @IsInt() @Min(5) @Max(172800) COMMAND_TIMEOUT_S = 300;
  /** Delivery timeout (TimeoutSeconds) passed to the channel. SSM's minimum is 30. */
  @Type(() => Number) @IsInt() @Min(30) @Max(2592000) DELIVERY_TIMEOUT_S = 600;
  /** Seconds the restart script waits before rebooting, so the command can report first. */
  @Type(() => Number) @IsInt() @Min(5) @Max(600) REBOOT_DELAY_S = 10;
  /** How long a reboot may take until the agent is back with a new boot time. */
  @Type(() => Number) @IsInt() @Min(1) REBOOT_DEADLINE_S = 900;
  /** Overall deadline of a remediation. */
  @Type(() => Number) @IsInt() @Min(1) REMEDIATION_DEADLINE_S = 3600;
  /** How long a remediation waits in awaiting_approval before it expires. */
  @Type(() => Number) @IsInt() @Min(1) APPROVAL_TTL_S = 86400;
  /** How often the reconciler re-enqueues active remediations that have no job in Redis. */
  @Type(() => Number) @IsInt() @Min(100) RECONCILE_INTERVAL_MS = 15000;

  // --- callers (issue 4) ---
  /** Requests per second per API key (a key may carry its own limit). Over it: 429 + Retry-After. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000) RATE_LIMIT_PER_SECOND = 20;
  /** How long an Idempotency-Key is remembered (at least 24 h). */
  @Type(() => Number) @IsInt() @Min(86400) IDEMPOTENCY_TTL_S = 172800;
  /** How long a verified API key is cached in the API process (revocation takes effect within it). */
  @Type(() => Number) @IsInt() @Min(0) @Max(300000) AUTH_CACHE_MS = 5000;
  /** Failed authentications one client address may make per minute; beyond it unverified keys get 429. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000000) AUTH_FAILURES_PER_MINUTE = 30;
  /**
   * Express `trust proxy`: which hops may set X-Forwarded-For (the client address that the
   * failed-authentication limit counts). Empty = none (the socket's address); e.g. `loopback`,
   * `10.0.0.0/8`, or a hop count such as `1`.
   */
  @Matches(/^[A-Za-z0-9.:/, -]*$/, { message: 'API_TRUST_PROXY must be a hop count, true, or a comma list of addresses/subnets/loopback/linklocal/uniquelocal' })
  API_TRUST_PROXY = '';
  /** Comma list of browser origins allowed by CORS (e.g. the console's https://console.example.com). Empty = none. */
  @Matches(/^(https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)?(,\s*https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)*$/, { message: 'CORS_ORIGINS must be a comma list of origins such as https://console.example.com (scheme, host, optional port; no path)' })
  CORS_ORIGINS = '';
  /** Lifetime of a stream token (POST /v1/remediations/:id/stream-token). */
  @Type(() => Number) @IsInt() @Min(10) @Max(3600) STREAM_TOKEN_TTL_S = 300;

  // --- webhooks ---
  /** Comma list of hostnames/IPs a callback URL may point at even if private or plain http (e.g. an internal ticket system). */
  @Matches(/^[A-Za-z0-9.:\[\]_, -]*$/, { message: 'WEBHOOK_ALLOWED_HOSTS must be a comma list of hostnames or IP addresses' }) WEBHOOK_ALLOWED_HOSTS = '';
  /** Accept http:// callback URLs for every host (otherwise only for WEBHOOK_ALLOWED_HOSTS). */
  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_HTTP = false;
  /**
   * Default Standard Webhooks signing secret, `whsec_` + base64 of 24-66 random bytes. The default
   * is a public development value: production must set its own.
   */
  @Matches(/^whsec_(?:[A-Za-z0-9+/]{4}){8,22}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, { message: 'WEBHOOK_SECRET must be whsec_ followed by base64 of 24 to 66 bytes' })
  WEBHOOK_SECRET = 'whsec_cmRwZml4LWRldmVsb3BtZW50LW9ubHktd2ViaG9vay1zZWNyZXQhIQ==';
  /** Timeout of one delivery attempt (connect + response headers). */
  @Type(() => Number) @IsInt() @Min(50) @Max(120000) WEBHOOK_TIMEOUT_MS = 10000;
  /** Seconds to wait before each retry, in order; the default sums to ~27.7 h (at least 24 h of retrying). */
  @Matches(/^\s*\d{1,6}(\s*,\s*\d{1,6})*\s*$/, { message: 'WEBHOOK_RETRY_SCHEDULE_S must be a comma list of whole seconds' })
  WEBHOOK_RETRY_SCHEDULE_S = '5,30,120,600,1800,3600,7200,14400,28800,43200';
  /** Multiplier applied to the schedule (tests shrink it to milliseconds). */
  @Type(() => Number) @Min(0) @Max(1000) WEBHOOK_RETRY_SCALE = 1;
  /** Deliveries one worker process sends in parallel. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WEBHOOK_CONCURRENCY = 10;

  // --- fleet campaigns (issue 10) ---
  /** Largest campaign-creation body (JSON list or uploaded file) in bytes; API_BODY_LIMIT stays for everything else. */
  @Type(() => Number) @IsInt() @Min(1024) @Max(268435456) CAMPAIGN_BODY_LIMIT = 33554432;
  /** Most targets one campaign may list (one more is a 400 naming the line). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000000) CAMPAIGN_MAX_TARGETS = 100000;
  /** Regions campaign targets may name besides the built-in AWS and JD Cloud regions and CHANNEL_ENDPOINTS (comma list). */
  @Matches(/^[a-z0-9, -]*$/, { message: 'CAMPAIGN_EXTRA_REGIONS must be a comma list of region names' }) CAMPAIGN_EXTRA_REGIONS = '';
  /** A finished campaign remediation wakes its scheduler at most this much later (wake-ups are coalesced). */
  @Type(() => Number) @IsInt() @Min(10) @Max(60000) CAMPAIGN_WAKE_COALESCE_MS = 200;
  /** The scheduler's safety pass over every active campaign (lost wake-ups, bake times, restarts). */
  @Type(() => Number) @IsInt() @Min(100) CAMPAIGN_SWEEP_INTERVAL_MS = 5000;
  /** A campaign tick re-reads every started target (not only the flagged ones) when its process's last such tick is this old. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3600000) CAMPAIGN_FULL_HARVEST_MS = 10000;
  /**
   * New campaign targets start only while fewer batched commands than this wait to be sent in
   * their regions (summed, against this times the number of regions): past it the call budget is
   * already saturated, and more starts only lengthen every target's wait. About 30 × the region's
   * CHANNEL_CALLS_PER_SECOND; 0 turns the hold off (docs/campaigns.md).
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(10000000) CAMPAIGN_START_BACKLOG_MAX = 1500;
  /** New campaign targets start only while fewer remediation jobs than this wait for a worker lane; 0 turns this hold off. */
  @Type(() => Number) @IsInt() @Min(0) @Max(10000000) CAMPAIGN_START_JOBS_MAX = 1000;
  /**
   * Start cohorts (docs/campaigns.md): slots the ramp frees may wait up to this share (%) of the
   * wave's mean run time, so that targets start together and their commands share batches; 0 turns
   * cohorts off.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(50) CAMPAIGN_COHORT_SHARE_PCT = 5;
  /** ...and never longer than this. */
  @Type(() => Number) @IsInt() @Min(0) @Max(60000) CAMPAIGN_COHORT_MAX_MS = 3000;
  /** ...and only in waves whose time-weighted mean run time is at least this (remediations with real restarts). */
  @Type(() => Number) @IsInt() @Min(0) @Max(3600000) CAMPAIGN_COHORT_MIN_RUN_MS = 30000;
  /**
   * The ramp gates changes, not looks (docs/campaigns.md): a fix campaign starts targets ahead of
   * its ramp, up to maxConcurrency, diagnoses them, and holds each change until the ramp has a
   * slot for it. false: the ramp gates whole targets, as before.
   */
  @Transform(toBool) @IsBoolean() CAMPAIGN_LOOKAHEAD = true;
  /** A change held at the gate longer than this (s) is diagnosed again when the gate opens. */
  @Type(() => Number) @IsInt() @Min(1) @Max(86400) CAMPAIGN_GATE_FRESH_S = 300;
  /**
   * When a remediation held at the gate first looks at it again (ms), then after as long as it has
   * been held, up to ten times this. Only a safety net: the campaign opens the gate and advances
   * it at once. At 30 s, 6,000 remediations held through a 100,000-target campaign's first
   * minute woke together and filled the job queue (3,443 jobs waiting).
   */
  @Type(() => Number) @IsInt() @Min(1000) @Max(3600000) CAMPAIGN_GATE_WAKE_MS = 300000;
  /** How often a campaign event stream (SSE) reads progress. */
  @Type(() => Number) @IsInt() @Min(50) @Max(60000) CAMPAIGN_PROGRESS_POLL_MS = 1000;

  // --- batched command path (issue 10, docs/batching.md) ---
  /** Campaign commands go out in batches of up to 50 instances (same script + parameters); single fixes are always sent at once. */
  @Transform(toBool) @IsBoolean() BATCH_ENABLED = true;
  /** A partial batch waits while requests keep joining it: sent once no new request came for this long... */
  @Type(() => Number) @IsInt() @Min(0) @Max(60000) BATCH_LINGER_MS = 150;
  /** ...or once its oldest request waited this long (the bound of the linger). */
  @Type(() => Number) @IsInt() @Min(0) @Max(60000) BATCH_MAX_LINGER_MS = 1000;
  /**
   * Batches one region's dispatcher has between claim and recorded answer at once. 1 sends one
   * after the other; more overlap the claims and the calls (docs/batching.md). On the 2-core
   * bench machine, 10,000 with one-statement claims: 8 lanes 57.7–58.6 s with a median dispatch
   * wait of 0.7–0.9 s; 4 lanes 63.6 s and 1.4–1.6 s (the lanes were all busy, 30–50 full
   * batches waiting).
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(32) BATCH_SENDS_IN_FLIGHT = 8;
  /** A remediation waiting on a batch is woken by the collector; this is only the bound if a wake-up is lost. */
  @Type(() => Number) @IsInt() @Min(1000) @Max(3600000) BATCH_SAFETY_WAKE_MS = 30000;
  /** When a batch's commands end, its collector advances their remediations itself instead of waking each job (docs/batching.md). */
  @Transform(toBool) @IsBoolean() BATCH_INLINE_ADVANCE = true;
  /** Concurrency of the batch worker (dispatch, collect and recovery jobs). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100) BATCH_WORKER_CONCURRENCY = 16;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
}

export class ConfigError extends Error {}

/** Builds and validates the config from an environment (process.env by default) plus overrides. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const known = Object.keys(new AppConfig());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, ...OPTIONAL_KEYS]) {
    if (env[key] !== undefined && env[key] !== '') picked[key] = env[key];
  }
  const config = plainToInstance(AppConfig, { ...picked, ...overrides });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  if (config.CHANNEL_ENDPOINTS) parseEndpointMap(config.CHANNEL_ENDPOINTS);
  if (config.JDCLOUD_ENDPOINTS) parseEndpointMap(config.JDCLOUD_ENDPOINTS, 'JDCLOUD_ENDPOINTS');
  if (config.CHANNEL_BY_REGION) parseChannelMap(config.CHANNEL_BY_REGION);
  if (config.INVENTORY_BY_REGION) parseInventoryMap(config.INVENTORY_BY_REGION);
  validateRegions(config);
  return config;
}

/** Variables without a default (absent from `new AppConfig()`'s keys). */
const OPTIONAL_KEYS = [
  'CHANNEL_ENDPOINT', 'CHANNEL_ENDPOINTS', 'CHANNEL_BY_REGION', 'JDCLOUD_ENDPOINTS', 'JDCLOUD_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'INVENTORY_TOKEN', 'INVENTORY_BY_REGION', 'EC2_ENDPOINT',
];

export const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** REGIONS as a list (empty when every built-in region is served). */
export function configuredRegions(c: Pick<AppConfig, 'REGIONS'>): string[] {
  return [...new Set(c.REGIONS.split(',').map((r) => r.trim()).filter(Boolean))];
}

/**
 * The region list at boot: every name well formed, and every region a per-region map names is
 * one this deployment serves (a typo there would otherwise only show at the first request).
 */
function validateRegions(c: AppConfig): void {
  const regions = configuredRegions(c);
  for (const r of regions) if (!REGION_NAME.test(r)) throw new ConfigError(`REGIONS: ${JSON.stringify(r)} is not a region name (like eu-west-1)`);
  if (regions.length === 0) return;
  const maps: [string, string | undefined][] = [
    ['CHANNEL_ENDPOINTS', c.CHANNEL_ENDPOINTS],
    ['CHANNEL_BY_REGION', c.CHANNEL_BY_REGION],
    ['JDCLOUD_ENDPOINTS', c.JDCLOUD_ENDPOINTS],
    ['INVENTORY_BY_REGION', c.INVENTORY_BY_REGION],
  ];
  for (const [name, raw] of maps) {
    if (!raw) continue;
    for (const r of Object.keys(JSON.parse(raw) as object)) {
      if (!regions.includes(r)) throw new ConfigError(`${name} names region ${r}, which is not in REGIONS (${regions.join(',')})`);
    }
  }
}

export const INVENTORY_NAMES = ['http', 'aws', 'jdcloud'] as const;
export type InventoryName = (typeof INVENTORY_NAMES)[number];

/** Region -> inventory adapter from INVENTORY_BY_REGION, validated: `{"cn-north-1": "jdcloud"}`. */
export function parseInventoryMap(raw: string): Record<string, InventoryName> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('INVENTORY_BY_REGION must be a JSON object of region -> inventory');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('INVENTORY_BY_REGION must be a JSON object of region -> inventory');
  for (const [region, name] of Object.entries(parsed)) {
    if (!REGION_NAME.test(region)) throw new ConfigError(`INVENTORY_BY_REGION: ${region} is not a region name`);
    if (!(INVENTORY_NAMES as readonly unknown[]).includes(name)) throw new ConfigError(`INVENTORY_BY_REGION.${region} must be one of ${INVENTORY_NAMES.join(', ')}`);
  }
  return parsed as Record<string, InventoryName>;
}

export const CHANNEL_NAMES = ['ssm', 'jdcloud'] as const;

/** Region -> channel from CHANNEL_BY_REGION, validated: `{"cn-north-1": "jdcloud"}`. */
export function parseChannelMap(raw: string): Record<string, (typeof CHANNEL_NAMES)[number]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('CHANNEL_BY_REGION must be a JSON object of region -> channel');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('CHANNEL_BY_REGION must be a JSON object of region -> channel');
  for (const [region, name] of Object.entries(parsed)) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new ConfigError(`CHANNEL_BY_REGION: ${region} is not a region name`);
    if (!(CHANNEL_NAMES as readonly unknown[]).includes(name)) throw new ConfigError(`CHANNEL_BY_REGION.${region} must be one of ${CHANNEL_NAMES.join(', ')}`);
  }
  return parsed as Record<string, (typeof CHANNEL_NAMES)[number]>;
}

/** Region -> endpoint map from CHANNEL_ENDPOINTS, validated. */
export function parseEndpointMap(raw: string, variable = 'CHANNEL_ENDPOINTS'): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${variable} must be a JSON object of region -> URL`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`${variable} must be a JSON object of region -> URL`);
  }
  for (const [region, url] of Object.entries(parsed)) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ConfigError(`${variable}.${region} is not an http(s) URL`);
  }
  return parsed as Record<string, string>;
}
