/**
 * `npm run chaos` (not part of `npm test`; issue 8 §9): N mixed remediations (default 500)
 * against the simulator with 10 % throttling, 5 % dropped send responses, 5 % execution
 * timeouts, garbage output on 2 %, a kill -9 of the worker process every few seconds, and cuts
 * of PostgreSQL and Redis through TCP proxies. It prints, and every count must be 0:
 *   lost · stuck after the deadline · duplicate changing commands received (the simulator's own
 *   record) · false `fixed` (ground truth: no RDP) · API 5xx other than 503 (during cuts and overall).
 * Exit code 1 when a count is not 0.   Flags: --n 500 --seed 1 --kill-every-ms 3000
 */
import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { Command } from 'commander';
import { Rng } from '../../apps/agent-sim/src/common/rng';
import { ChaosWorld } from './chaos-world';
import { tally } from './chaos-tally';

const OSES = ['2008R2', '2012', '2012R2', '2016', '2019', '2022', '2025'];
const PRESETS = ['cause-a', 'cause-b', 'cause-a-and-b', 'healthy', 'cause-b-in-grace', 'licensed-ok', 'cause-b'];
const HANG = ['diagnose', 'set-single-session', 'verify'];

export interface Submitted {
  id: string;
  instanceId: string;
  mode: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const opts = new Command()
    .option('--n <n>', 'remediations', '500')
    .option('--seed <seed>', 'seed of every random choice', '1')
    .option('--kill-every-ms <ms>', 'mean time between kill -9 of the worker', '3000')
    .option('--max-minutes <m>', 'give up (and count what is left) after this long', '15')
    .parse()
    .opts();
  const n = Number(opts.n);
  const seed = Number(opts.seed);
  const rng = new Rng(seed);
  const rand = () => rng.next();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const world = new ChaosWorld(`${seed}_${randomBytes(3).toString('hex')}`, seed);
  const t0 = Date.now();
  let stop = false;
  const api5xx = { duringCuts: 0, overall: 0, probesDuringCuts: 0, status503: 0 };
  const note = (status: number, duringCut: boolean) => {
    if (status >= 500 && status !== 503) {
      api5xx.overall++;
      if (duringCut) api5xx.duringCuts++;
    }
    if (status === 503) api5xx.status503++;
  };
  const submitted: Submitted[] = [];
  const notAccepted: string[] = [];
  let kills = 0;
  const cuts: string[] = [];
  try {
    await world.start();
    console.log(
      `rdpfix chaos — n=${n} seed=${seed}; faults: throttle 10%, dropped send responses 5% (${world.dropSendSupported ? 'on' : 'NOT in this simulator build'}), execution timeouts 5%, garbage output 2%; kill -9 every ~${opts.killEveryMs} ms; PostgreSQL and Redis cuts`,
    );

    // The worker is killed at random moments, and restarted, until the run ends.
    const killer = (async () => {
      while (!stop) {
        // The interval counts from when the worker takes jobs: a kill during boot would test nothing.
        await world.workerUp();
        await sleep(Math.round(Number(opts.killEveryMs) * (0.5 + rand())));
        if (stop) break;
        await world.killWorker(Math.round(rand() * 500));
        kills++;
      }
    })();

    // Instances and submissions, at a steady pace.
    const submitting = (async () => {
      for (let i = 0; i < n; i++) {
        const preset = pick(PRESETS);
        const created = await world.simHttp('POST', '/admin/instances', { tenantId: 'tenant-a', region: 'eu-west-1', os: pick(OSES), preset });
        const instanceId = created.instanceId ?? created.instance.instanceId;
        if (rand() < 0.05) await world.simHttp('PUT', `/admin/instances/${instanceId}/faults`, { hangScripts: [pick(HANG)] });
        const r = rand();
        const body = r < 0.2 ? { mode: 'diagnose' } : r < 0.3 ? { mode: 'fix', allowReboot: false } : { mode: 'fix', allowReboot: true };
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 120; attempt++) {
          const res = await world.http('POST', '/v1/remediations', { instanceId, region: 'eu-west-1', ...body });
          note(res.status, world.pgProxy.isCut || world.redisProxy.isCut);
          statuses.push(res.status);
          if (res.status === 202) {
            submitted.push({ id: res.body.id, instanceId, mode: body.mode });
            break;
          }
          // An earlier attempt was stored but its answer was lost: the 409 names it.
          const active = res.status === 409 ? /active remediation \(([0-9a-f-]{36})\)/.exec(JSON.stringify(res.body))?.[1] : undefined;
          if (active) {
            submitted.push({ id: active, instanceId, mode: body.mode });
            break;
          }
          await sleep(500); // 503 during a cut: the caller retries, as a ticket system would
        }
        if (submitted[submitted.length - 1]?.instanceId !== instanceId) notAccepted.push(`${instanceId}: ${statuses.slice(-5).join(',')}`);
        await sleep(10 + Math.round(rand() * 30));
      }
    })();

    // Approvals for the ones that parked (fix without allowReboot whose plan needs a restart).
    const approver = (async () => {
      while (!stop) {
        await sleep(1500);
        const parked: { id: string }[] = await world.ds.query(`SELECT id FROM remediations WHERE state = 'awaiting_approval'`);
        for (const p of parked) {
          if (rand() < 0.5) note((await world.http('POST', `/v1/remediations/${p.id}/approve`)).status, world.pgProxy.isCut || world.redisProxy.isCut);
        }
      }
    })();

    // Cuts: a few short ones, one long cut of each; the API is probed while each lasts.
    const probe = async () => {
      const some = submitted[Math.floor(rand() * Math.max(1, submitted.length))];
      for (const [method, url] of [
        ['GET', '/health'],
        ['GET', some ? `/v1/remediations/${some.id}` : '/v1/remediations?limit=5'],
        ['GET', '/v1/remediations?limit=5'],
      ] as const) {
        const res = await world.http(method, url);
        api5xx.probesDuringCuts++;
        note(res.status, true);
      }
    };
    const cut = async (which: 'pg' | 'redis', ms: number) => {
      const proxy = which === 'pg' ? world.pgProxy : world.redisProxy;
      cuts.push(`${which} ${(ms / 1000).toFixed(1)}s at +${((Date.now() - t0) / 1000).toFixed(0)}s`);
      proxy.cut();
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await probe();
        await sleep(300);
      }
      proxy.restore();
    };
    const cutter = (async () => {
      await sleep(5000);
      for (let i = 0; i < 4 && !stop; i++) {
        await cut(i % 2 ? 'redis' : 'pg', 500 + Math.round(rand() * 1500));
        await sleep(3000 + Math.round(rand() * 4000));
      }
      if (!stop) await cut('pg', 8000);
      await sleep(4000);
      if (!stop) await cut('redis', 8000);
    })();

    await submitting;
    await cutter;
    // Run until every remediation finished, or the time bound.
    const deadline = t0 + Number(opts.maxMinutes) * 60_000;
    let lastLine = 0;
    while (Date.now() < deadline) {
      const [{ active }] = await world.ds.query(`SELECT count(*)::int AS active FROM remediations WHERE state <> 'finished'`);
      if (active === 0) break;
      if (Date.now() - lastLine > 15_000) {
        lastLine = Date.now();
        console.log(`  +${((Date.now() - t0) / 1000).toFixed(0)}s: ${active} active, ${kills} kills so far`);
      }
      await sleep(1000);
    }
    stop = true;
    await Promise.all([killer, approver]);
    const t = await tally(world, submitted);
    const elapsed = ((Date.now() - t0) / 1000).toFixed(0);
    const boot = world.bootMs.length ? Math.round(world.bootMs.reduce((a, b) => a + b, 0) / world.bootMs.length) : 0;
    console.log(`ran ${elapsed}s: ${submitted.length} remediations accepted, ${kills} kill -9 of the worker (${world.workerStarts} starts, ${boot} ms from spawn to taking jobs on average), cuts: ${cuts.join(', ')}`);
    if (notAccepted.length) console.log(`never accepted after 60 s of retries: ${notAccepted.slice(0, 5).join('; ')}`);
    console.log(`outcomes: ${Object.entries(t.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`simulator: ${t.simNote}`);
    console.log(`API during cuts: ${api5xx.probesDuringCuts} probes, ${api5xx.status503} answered 503`);
    const counts = {
      lost: t.lost,
      'stuck after the deadline': t.stuck,
      'duplicate changing commands received': t.duplicates,
      'false fixed': t.falseFixed,
      'submissions never accepted': notAccepted.length,
      'API 5xx during cuts (not 503)': api5xx.duringCuts,
      'API 5xx overall (not 503)': api5xx.overall,
      'worker crashes (exits not from kill -9)': world.workerDeaths.length,
      internal_error: t.internalErrors,
    };
    for (const [k, v] of Object.entries(counts)) console.log(`${k.padEnd(42)} ${v}`);
    for (const d of t.details.slice(0, 10)) console.log(`  ! ${d}`);
    for (const d of world.workerDeaths.slice(0, 3)) console.log(`  ! ${d}`);
    const bad = Object.values(counts).some((v) => v !== 0);
    console.log(bad ? 'FAIL: a count is not 0' : 'OK: every count is 0');
    process.exitCode = bad ? 1 : 0;
  } finally {
    stop = true;
    await world.close();
  }
}

main().catch((err) => {
  console.error(`chaos run failed: ${(err as Error).stack ?? err}`);
  process.exit(2);
});
