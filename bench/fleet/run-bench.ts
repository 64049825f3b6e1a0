import 'reflect-metadata';
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import os from 'os';
import path from 'path';
import { parseArgs } from 'util';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '@rdpfix/auth';
import { loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { startSimulator } from '../../apps/agent-sim/src/simulator';
import { Rng } from '../../apps/agent-sim/src/common/rng';
import { cpuMs, cpuSplitMs, machineCpuMs, PostgresCpu, rssKb, syscalls } from './proc-stats';
import Redis from 'ioredis';
import { waitForHttp } from '../support/wait-for-http';
import { stageLatencies } from './stage-latency';
import { AutovacuumStandIn } from './autovacuum';
import { BudgetUse } from './budget-use';

/**
 * npm run bench:fleet [-- --n 10000 --rate 50 --pending-ms 100 --run-ms 250 --reboot-down-ms 1500]
 *
 * One fix campaign over N simulated instances (half cause B, a third cause A, some healthy,
 * some with the agent offline, a few the planner refuses), through the real API and a worker
 * process, against the simulator with an API rate limit. Prints the makespan against its lower
 * bound, channel calls per remediation by kind, worker and PostgreSQL CPU per remediation and
 * peak RSS per process, each against the issue 10 targets. Not part of npm test.
 */
const OPTIONS = {
  n: { type: 'string', default: '10000' },
  rate: { type: 'string', default: '50' },
  'pending-ms': { type: 'string', default: '100' },
  'run-ms': { type: 'string', default: '250' },
  'invisible-ms': { type: 'string', default: '100' },
  'reboot-down-ms': { type: 'string', default: '1500' },
  'worker-concurrency': { type: 'string', default: '50' },
  'poll-ms': { type: 'string', default: '500' },
  /** The campaign's maxConcurrency (a count or a percentage, as the API takes it). */
  'max-concurrency': { type: 'string', default: '100%' },
  /** Target order: `mixed` (offline agents and refusals spread through the list, as in a real inventory) or `offline-first`. */
  order: { type: 'string', default: 'mixed' },
  'timeout-s': { type: 'string', default: '3600' },
  /** Directory for V8 CPU profiles of the API and worker (--cpu-prof), to see where the time goes. */
  profile: { type: 'string' },
  /** Do not stand in for a disabled autovacuum (to see what the dead rows cost). */
  'no-vacuum': { type: 'boolean', default: false },
  /** Seconds between timeline lines (targets by state, channel calls/s, invocations in flight); 0 = every 15 s, outcomes only. */
  timeline: { type: 'string', default: '0' },
  /** Keep the run's database afterwards (its name is printed), to look into single remediations. */
  'keep-db': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;
const USAGE = `usage: npm run bench:fleet -- [--n 10000] [--rate 50] [--pending-ms 100] [--run-ms 250] [--invisible-ms 100]
       [--reboot-down-ms 1500] [--worker-concurrency 50] [--poll-ms 500] [--max-concurrency 100%] [--order mixed|offline-first] [--timeout-s 3600]
       [--timeline SECONDS] [--profile DIR] [--no-vacuum] [--keep-db]`;
const { values: flags } = (() => {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (err) {
    // An unknown or malformed flag: say which, show the usage, and stop (exit 2) instead of a stack trace.
    console.error(`bench:fleet: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
// A mistyped number must stop the bench with its name, not run with NaN or a silent default.
for (const [name, min] of [['n', 1], ['rate', 1], ['pending-ms', 0], ['run-ms', 0], ['invisible-ms', 0], ['reboot-down-ms', 0], ['worker-concurrency', 1], ['poll-ms', 1], ['timeout-s', 1], ['timeline', 0]] as const) {
  const v = Number(flags[name]);
  if (!Number.isFinite(v) || v < min) {
    console.error(`bench:fleet: --${name} must be a number ≥ ${min} (got ${JSON.stringify(flags[name])})`);
    process.exit(2);
  }
}
if (flags.order !== 'mixed' && flags.order !== 'offline-first') {
  console.error(`bench:fleet: --order must be mixed or offline-first (got ${JSON.stringify(flags.order)})`);
  process.exit(2);
}
const N = Number(flags.n);
const RATE = Number(flags.rate);
const PENDING_MS = Number(flags['pending-ms']);
const RUN_MS = Number(flags['run-ms']);
const INVISIBLE_MS = Number(flags['invisible-ms']);
const REBOOT_DOWN_MS = Number(flags['reboot-down-ms']);
const REBOOT_DELAY_S = 5;
const REBOOT_DELAY_SCALE = 0.02;
const ROOT = path.resolve(__dirname, '../../..');
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The mix: half cause B, a third cause A, the rest healthy; then some offline and a few refusals. */
const MIX = { 'cause-b': 50, 'cause-a': 33, healthy: 17 } as const;
const OFFLINE_SHARE = 0.03;
const REFUSAL_SHARE = 0.01;

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const tag = `fleet_${randomBytes(3).toString('hex')}`;
  const dbName = `rdpfix_${tag}`;
  const dbUrl = `${PG}/${dbName}`;
  const prefix = `rdpfix-${tag}`;
  await ensureDatabase(dbUrl);
  await runMigrations(dbUrl);
  const sim = await startSimulator({
    port: 0,
    pendingMs: PENDING_MS,
    runMs: RUN_MS,
    invisibleMs: INVISIBLE_MS,
    rebootDownMs: REBOOT_DOWN_MS,
    rebootDelayScale: REBOOT_DELAY_SCALE,
    apiRateLimit: RATE,
    seed: 42,
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    API_HOST: '127.0.0.1',
    API_PORT: String(3800 + Math.floor(Math.random() * 90)),
    INVENTORY_URL: sim.url,
    CHANNEL_ENDPOINT: sim.url,
    // Static keys for the simulator: without them the SDK's default chain looks for real
    // credentials, finds none, and every call fails (retryably) until the deadline.
    AWS_ACCESS_KEY_ID: 'simulator',
    AWS_SECRET_ACCESS_KEY: 'simulator',
    WORKER_HTTP_PORT: '0',
    WORKER_HTTP_HOST: '127.0.0.1',
    CHANNEL_CALLS_PER_SECOND: String(RATE),
    WORKER_CONCURRENCY: flags['worker-concurrency'],
    POLL_INTERVAL_MS: flags['poll-ms'],
    POLL_MAX_INTERVAL_MS: String(Number(flags['poll-ms']) * 4),
    REBOOT_DELAY_S: String(REBOOT_DELAY_S),
    REMEDIATION_DEADLINE_S: String(Number(flags['timeout-s'])),
    // A send whose answer is lost (the simulator is busy at 10,000+) is looked up for 60 s, not
    // the full delivery timeout, so one such batch does not hold the run's end for 10 minutes.
    SEND_LOOKUP_MAX_S: '60',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  };
  const config = loadConfig(env);
  const ds = new DataSource(schemaDataSourceOptions(dbUrl, { extra: { max: 2 } }));
  await ds.initialize();
  const key = (await new ApiKeyService(ds, config).create({ name: 'bench', role: 'fleet', rateLimitPerSecond: 100_000 })).key;

  // The fleet.
  const nRefused = Math.max(1, Math.round(N * REFUSAL_SHARE));
  const ids = sim.admin.createFleet({ count: N - nRefused, tenantId: 'tenant-bench', region: 'eu-west-1', mix: MIX }).instanceIds;
  const offline = ids.slice(0, Math.round(N * OFFLINE_SHARE));
  for (const id of offline) sim.admin.setAgentOnline(id, false);
  const refused = sim.admin.createFleet({ count: nRefused, tenantId: 'tenant-bench', region: 'eu-west-1', mix: { 'cause-b': 1 }, overrides: { rds: { broker: true } } as never }).instanceIds;
  // A real inventory lists offline agents and refusals anywhere. Listing the offline ones first
  // flatters the ramp: each ends at its precheck and opens a slot within 0.4 s (offline-first).
  const targets = flags.order === 'offline-first' ? [...ids, ...refused] : new Rng(42).shuffle([...ids, ...refused]);

  const children: ChildProcess[] = [];
  const profiling = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile)}`] : [];
  const start = (main: string, args: string[] = []) => {
    const c = spawn(process.execPath, [...profiling, ...args, path.join(ROOT, main)], { env, stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'] });
    children.push(c);
    return c;
  };
  const api = start('dist/apps/api/src/main.js', ['--max-semi-space-size=32']);
  // As `npm run start:worker` starts it (README "Operations"); BENCH_WORKER_NODE_FLAGS replaces the flags.
  const worker = start('dist/apps/worker/src/main.js', (process.env.BENCH_WORKER_NODE_FLAGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean));
  const url = `http://127.0.0.1:${env.API_PORT}`;
  const pgCpu = new PostgresCpu(dbName);
  try {
    await waitForHttp(`${url}/health`, 30_000);
    await new Promise((r) => setTimeout(r, 2000)); // the worker connects
    console.log(`rdpfix bench:fleet — N=${N}, rate ${RATE} calls/s, latencies invisible ${INVISIBLE_MS} / pending ${PENDING_MS} / run ${RUN_MS} ms, reboot down ${REBOOT_DOWN_MS} ms; node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`fleet: ${N} targets (~${MIX['cause-b']}% cause B, ~${MIX['cause-a']}% cause A, ~${MIX.healthy}% healthy; ${offline.length} agents offline, ${refused.length} refusals (RD Connection Broker)); order: ${flags.order}`);
    sim.admin.resetStats();
    const worker0 = cpuMs(worker.pid!);
    const workerSplit0 = cpuSplitMs(worker.pid!);
    const workerIo0 = syscalls(worker.pid!);
    const api0 = cpuMs(api.pid!);
    const bench0 = process.cpuUsage();
    const machine0 = machineCpuMs();
    pgCpu.startAt();
    const peak = { api: 0, worker: 0, bench: 0, pgBackend: 0 };
    const sample = () => {
      peak.api = Math.max(peak.api, rssKb(api.pid!));
      peak.worker = Math.max(peak.worker, rssKb(worker.pid!));
      peak.bench = Math.max(peak.bench, rssKb(process.pid));
      pgCpu.sample();
      peak.pgBackend = Math.max(peak.pgBackend, pgCpu.backendRssKb());
    };
    const sampler = setInterval(sample, 1000);
    // PostgreSQL's default is autovacuum on; a server run with it off (as this project's test
    // machine is) lets dead rows pile up for the whole run and slows every scan. Then the bench
    // does what autovacuum would, by its own thresholds (autovacuum.ts).
    const autovacuum = (await ds.query(`SHOW autovacuum`))[0].autovacuum as string;
    const vacuumer = autovacuum === 'off' && !flags['no-vacuum'] ? await AutovacuumStandIn.start(ds) : undefined;
    // Round trips are this machine's main CPU cost: count PostgreSQL transactions (this database's)
    // and Redis scripts and commands (the whole server's: run the bench on a quiet Redis).
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    const xacts = async () => Number((await ds.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`))[0].n);
    const redisCalls = async () => {
      const info = await redis.info('commandstats');
      const calls = (re: RegExp) => [...info.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
      return { scripts: calls(/cmdstat_evalsha:calls=(\d+)/g) + calls(/cmdstat_eval:calls=(\d+)/g), all: calls(/cmdstat_[a-z|]+:calls=(\d+)/g) };
    };
    const xacts0 = await xacts();
    const redis0 = await redisCalls();
    const t0 = Date.now();
    // The simulator's calls per second, to show where the budget went unused (ramp, middle, tail).
    const budgetUse = new BudgetUse(RATE, t0);
    const totalCallsNow = () => Object.values(sim.admin.stats().calls as Record<string, number>).reduce((a, b) => a + b, 0);
    const budgetSampler = setInterval(() => budgetUse.sample(totalCallsNow()), 100);
    const res = await fetch(`${url}/v1/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'fix', allowReboot: true, maxConcurrency: flags['max-concurrency'], maxErrors: '100%', maxUnreachable: '100%', targets: targets.map((instanceId) => ({ instanceId, region: 'eu-west-1' })) }),
    });
    const created = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`campaign create ${res.status} ${JSON.stringify(created).slice(0, 500)}`);
    let c: { state: string; counts?: unknown; outcomes?: Record<string, number>; finishedAt?: string | null } = { state: 'created' };
    let lastLog = 0;
    const timelineMs = Number(flags.timeline) * 1000;
    let lastTick = { t: 0, calls: 0, worker: 0, pg: 0 };
    while (!['completed', 'stopped', 'cancelled'].includes(c.state)) {
      await new Promise((r) => setTimeout(r, 1000));
      // A process that died (it printed why) would leave the campaign running until --timeout-s.
      for (const [name, ch] of [['API', api], ['worker', worker]] as const) if (ch.exitCode !== null || ch.signalCode !== null) throw new Error(`the ${name} exited (${ch.exitCode ?? ch.signalCode}) during the run`);
      c = (await (await fetch(`${url}/v1/campaigns/${created.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as typeof c;
      if (timelineMs > 0 && Date.now() - lastTick.t >= timelineMs) {
        // Where the makespan goes: is the budget saturated (calls/s near the rate), or is the ramp
        // or the latency holding targets back?
        const st = sim.admin.stats();
        const callsNow = Object.values(st.calls as Record<string, number>).reduce((a, b) => a + b, 0);
        const rate = lastTick.t ? ((callsNow - lastTick.calls) * 1000) / (Date.now() - lastTick.t) : 0;
        // CPU of the worker and of the database's backends in the interval (100 % = one core).
        pgCpu.sample();
        const cpu = { worker: cpuMs(worker.pid!), pg: pgCpu.totalMs() };
        const share = (now: number, was: number) => (lastTick.t ? `${Math.round((100 * (now - was)) / (Date.now() - lastTick.t))} %` : '-');
        // What the start holds look at: remediation jobs waiting for a lane, batched commands waiting to be sent.
        const q = `${prefix}:remediations`;
        const [[, wait], [, prio]] = (await redis.multi().llen(`${q}:wait`).zcard(`${q}:prioritized`).exec()) as [unknown, number][];
        const unsent = Number((await ds.query(`SELECT count(*) AS n FROM command_runs WHERE status = 'requested' AND batch_key IS NOT NULL`))[0].n);
        console.log(`  t=${((Date.now() - t0) / 1000).toFixed(0)} s ${c.state} counts ${JSON.stringify(c.counts ?? {})} calls ${callsNow} (${rate.toFixed(1)}/s, throttled ${st.throttled}) invocations in flight ${st.inFlight}; jobs waiting ${wait + prio}, commands unsent ${unsent}; CPU worker ${share(cpu.worker, lastTick.worker)}, PostgreSQL ${share(cpu.pg, lastTick.pg)}`);
        lastTick = { t: Date.now(), calls: callsNow, ...cpu };
      }
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${c.state} ${JSON.stringify(c.outcomes ?? {})}  RSS worker ${(rssKb(worker.pid!) / 1024).toFixed(0)} MB, API ${(rssKb(api.pid!) / 1024).toFixed(0)} MB`);
      }
    }
    // The campaign's own end (PostgreSQL's clock, on this machine), not when this 1 s poll saw it:
    // the poll alone added 0.5 s on average (up to 1 s) to every makespan.
    const seenS = (Date.now() - t0) / 1000;
    clearInterval(budgetSampler);
    budgetUse.sample(totalCallsNow());
    const endedAt = c.finishedAt ? Date.parse(c.finishedAt) : NaN;
    const makespanS = Number.isFinite(endedAt) && endedAt > t0 ? Math.min(seenS, (endedAt - t0) / 1000) : seenS;
    // pg_stat_database lags by up to PGSTAT_MIN_INTERVAL (1 s): let it catch up.
    await new Promise((r) => setTimeout(r, 1500));
    const xactsPer = ((await xacts()) - xacts0) / N;
    const redis1 = await redisCalls();
    redis.disconnect();
    clearInterval(sampler);
    vacuumer?.stop();
    sample();
    const workerCpu = cpuMs(worker.pid!) - worker0;
    const workerSplit1 = cpuSplitMs(worker.pid!);
    const workerIo1 = syscalls(worker.pid!);
    const workerSys = workerSplit1.sys - workerSplit0.sys;
    const apiCpu = cpuMs(api.pid!) - api0;
    const benchUsage = process.cpuUsage(bench0);
    const benchCpu = Math.round((benchUsage.user + benchUsage.system) / 1000);
    const machine1 = machineCpuMs();
    const machineBusy = machine1.busy - machine0.busy;
    const machineShare = machineBusy / (machine1.total - machine0.total);
    const stats = sim.admin.stats();
    const calls = stats.calls as Record<string, number>;
    const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);
    if (process.env.BENCH_ROW_SIZES) console.log('row sizes', JSON.stringify(await ds.query(`SELECT avg(pg_column_size(r.*))::int AS row, avg(pg_column_size(facts))::int AS facts, avg(pg_column_size(plan))::int AS plan, avg(pg_column_size(step_data))::int AS step_data, avg(pg_column_size(changes))::int AS changes, avg(pg_column_size(verification))::int AS verification, avg(length(facts::text))::int AS facts_text, avg(length(verification::text))::int AS verification_text, avg(length(plan::text))::int AS plan_text FROM remediations r`)), JSON.stringify(await ds.query(`SELECT avg(pg_column_size(c.*))::int AS run_row, avg(length(stdout_excerpt))::int AS stdout, avg(length(result::text))::int AS result, avg(length(parameters::text))::int AS params FROM command_runs c`)));
    const batches = (await ds.query(`SELECT count(*)::int AS n, coalesce(avg(run_count), 0)::float AS avg FROM command_batches`))[0];

    // Lower bound: the channel calls this run needed ÷ the rate limit, or the latency critical
    // path (a cause-B fix: precheck, diagnose, apply, restart, down and back, verify) × waves (1).
    const commandMs = INVISIBLE_MS + PENDING_MS + RUN_MS;
    const criticalS = (4 * commandMs + REBOOT_DELAY_S * 1000 * REBOOT_DELAY_SCALE + REBOOT_DOWN_MS) / 1000;
    const callsBoundS = totalCalls / RATE;
    const lowerS = Math.max(callsBoundS, criticalS * 1);
    const ratio = makespanS / lowerS;
    const perRem = totalCalls / N;
    const workerPer = workerCpu / N;
    const pgPer = pgCpu.totalMs() / N;

    console.log(`\noutcomes: ${JSON.stringify(c.outcomes)}   (campaign ${c.state})`);
    if (vacuumer) console.log(`autovacuum is off on this server: the bench stood in for it by its thresholds (checked every ${vacuumer.naptimeS} s): ${vacuumer.runs.vacuum} VACUUM and ${vacuumer.runs.analyze} ANALYZE of single tables (counted as PostgreSQL CPU)${vacuumer.runs.failed ? `; ${vacuumer.runs.failed} pass(es) failed` : ''}`);
    console.log(`batches: ${batches.n} sends of on average ${batches.avg.toFixed(1)} instances; effective budget rate at the end: see worker logs`);
    console.log(`makespan ${makespanS.toFixed(1)} s (request to the campaign's recorded end; the 1 s poll saw it at ${seenS.toFixed(1)} s); lower bound ${lowerS.toFixed(1)} s = max(${totalCalls} calls ÷ ${RATE}/s = ${callsBoundS.toFixed(1)} s, critical path ${criticalS.toFixed(2)} s × 1 wave)`);
    console.log(`  ratio makespan / lower bound      ${ratio.toFixed(2)}   target ≤ 1.15   ${verdict(ratio <= 1.15)}`);
    const unused = budgetUse.summary(makespanS);
    console.log(
      unused.saturatedFrom < 0
        ? `      budget unused (s of calls): ${unused.rampS.toFixed(1)}; no second of the run used 90 % of the rate`
        : `      budget unused (s of calls): ramp ${unused.rampS.toFixed(1)} (until ${unused.saturatedFrom} s), middle ${unused.middleS.toFixed(1)}, tail ${unused.tailS.toFixed(1)} (from ${unused.saturatedUntil} s); a second counts as used from 90 % of the rate`,
    );
    console.log(`  channel calls per remediation     ${perRem.toFixed(3)}  target ≤ 1.0    ${verdict(perRem <= 1)}`);
    for (const [op, n] of Object.entries(calls).sort((a, b) => b[1] - a[1])) console.log(`      ${op.padEnd(32)} ${n.toString().padStart(7)}  ${(n / N).toFixed(3)} / remediation`);
    console.log(`      throttled by the simulator     ${String(stats.throttled).padStart(7)}`);
    // The inventory is another service (EC2, JD's VM API, a CMDB): counted apart from the channel's budget.
    const inv = stats.inventoryCalls as { get: number; lookup: number; list: number };
    console.log(`      inventory calls (not in the budget): ${inv.get} by id, ${inv.lookup} bulk lookups, ${inv.list} listings = ${((inv.get + inv.lookup + inv.list) / N).toFixed(3)} / remediation`);
    console.log(`  round trips per remediation: PostgreSQL transactions ${xactsPer.toFixed(1)}; Redis scripts ${((redis1.scripts - redis0.scripts) / N).toFixed(1)} (server-wide, ${((redis1.all - redis0.all) / N).toFixed(0)} commands counting those scripts run)`);
    console.log(`  worker system calls per remediation: ${((workerIo1.writes - workerIo0.writes) / N).toFixed(1)} writes, ${((workerIo1.reads - workerIo0.reads) / N).toFixed(1)} reads (/proc/${worker.pid}/io)`);
    console.log(`  worker CPU per remediation        ${workerPer.toFixed(2)} ms  target ≤ 5 ms   ${verdict(workerPer <= 5)}   (/proc/${worker.pid}/stat, ${workerCpu} ms in all, ${(100 * workerSys / Math.max(1, workerCpu)).toFixed(0)}% of it system time)`);
    console.log(`  PostgreSQL CPU per remediation    ${pgPer.toFixed(2)} ms  target ≤ 5 ms   ${verdict(pgPer <= 5)}   (/proc of the ${pgCpu.backendsSeen()} backends that served ${dbName}, ${pgCpu.totalMs()} ms in all)`);
    // Where the machine's CPU went: the simulated cloud and the bench share these cores with rdpfix.
    console.log(
      `  machine CPU: ${(machineBusy / 1000).toFixed(0)} s busy of ${(os.cpus().length * makespanS).toFixed(0)} s (${(100 * machineShare).toFixed(0)}%): worker ${(workerCpu / 1000).toFixed(0)} s, PostgreSQL ${(pgCpu.totalMs() / 1000).toFixed(0)} s, API ${(apiCpu / 1000).toFixed(0)} s, bench+simulator ${(benchCpu / 1000).toFixed(0)} s, other (Redis, kernel) ${((machineBusy - workerCpu - pgCpu.totalMs() - apiCpu - benchCpu) / 1000).toFixed(0)} s`,
    );
    // The machine's own floor: this much CPU cannot be spent on these cores in less time. When it
    // is near 1.15 × the bound, the ratio is set by the machine, not by the call budget or the ramp.
    const cores = os.cpus().length;
    const rdpfixBusy = machineBusy - benchCpu;
    console.log(
      `  CPU floor: ${(machineBusy / 1000).toFixed(0)} s busy ÷ ${cores} cores = ${(machineBusy / 1000 / cores).toFixed(1)} s = ${(machineBusy / 1000 / cores / lowerS).toFixed(2)} × the lower bound; without the bench and simulator (the cloud's side) ${(rdpfixBusy / 1000 / cores).toFixed(1)} s = ${(rdpfixBusy / 1000 / cores / lowerS).toFixed(2)} ×`,
    );
    console.log(`  peak RSS: worker ${(peak.worker / 1024).toFixed(0)} MB, API ${(peak.api / 1024).toFixed(0)} MB, bench+simulator ${(peak.bench / 1024).toFixed(0)} MB, largest PostgreSQL backend ${(peak.pgBackend / 1024).toFixed(0)} MB (sampled every second; compare runs at --n 10000 and --n 100000 for flatness)`);
    for (const line of await stageLatencies(ds)) console.log(`  ${line}`);
    // Row versions written per remediation, and the share that were HOT (no new index entries).
    const writes = (await ds.query(`SELECT relname, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname IN ('remediations', 'command_runs', 'campaign_targets') ORDER BY relname`)) as { relname: string; upd: number; hot: number }[];
    console.log(`  row updates per remediation (HOT share): ${writes.map((w) => `${w.relname} ${(w.upd / N).toFixed(1)} (${Math.round((100 * w.hot) / Math.max(1, w.upd))} %)`).join(', ')}`);
  } finally {
    for (const ch of children) ch.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    await ds.destroy();
    await sim.close();
    if (flags['keep-db']) console.log(`kept the database ${dbName} (drop it when done)`);
    else await dropDatabase(dbUrl).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

