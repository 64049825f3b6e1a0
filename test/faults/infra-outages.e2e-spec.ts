import { ChildProcess } from 'child_process';
import { Client } from 'pg';
import { CHANGING, countScript } from '../support/commands';
import { Json, REDIS_URL, Stack } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { rng, seeds, sleep, until } from './support/seeded';

/**
 * Issue 8, defects 5 and 9: PostgreSQL and Redis go away and come back (through TCP proxies the
 * test cuts and restores; the machine's services are never touched). Several short cuts spread
 * over the run, then one long cut of each. Remediations must still finish correctly (no
 * internal_error: an outage spends no attempt), the worker process must stay alive (no crash on
 * an unhandled rejection), nothing may be sent twice, and the API must answer 503 with
 * Retry-After while PostgreSQL is away — never 500.
 */
const PRESETS = ['cause-a', 'cause-b', 'cause-a-and-b', 'healthy', 'cause-b', 'cause-a'];

for (const seed of seeds([101, 202])) {
  describe(`infrastructure outages (seed ${seed})`, () => {
    let pgProxy: TcpProxy;
    let redisProxy: TcpProxy;
    let stack: Stack;
    let pg: Client;
    let worker: ChildProcess;
    const exits: string[] = [];

    beforeAll(async () => {
      pgProxy = await TcpProxy.start('postgres://127.0.0.1:5432');
      redisProxy = await TcpProxy.start(REDIS_URL);
      stack = await Stack.start({
        worker: 'none',
        routeDb: (url) => pgProxy.urlFor(url),
        // Slower commands so the cuts land in sends, polls and the restart wait.
        sim: { pendingMs: 150, runMs: 500, invisibleMs: 200, rebootDownMs: 1500 },
        config: { REDIS_URL: redisProxy.urlFor(REDIS_URL), AUTH_CACHE_MS: 0, CHANNEL_BUDGET_WAIT_MS: 500 },
      });
      pg = new Client({ connectionString: stack.dbUrl });
      await pg.connect();
      // Warnings are kept: a failing run prints the worker's last words.
      worker = stack.spawnWorker({ logLevel: 'warn' });
      worker.on('exit', (code, sig) => exits.push(`worker exited ${code ?? sig}`));
    });
    afterAll(async () => {
      pgProxy.restore();
      redisProxy.restore();
      await pg.end();
      await stack.close();
      await pgProxy.stop();
      await redisProxy.stop();
    });

    it('remediations finish correctly through short and long cuts of PostgreSQL and Redis; the worker stays up; the API answers 503, never 500', async () => {
      const rand = rng(seed);
      const instances: string[] = [];
      const rems: Json[] = [];
      for (const preset of PRESETS) {
        const id = await stack.instance(['2012R2', '2016', '2019', '2022'][Math.floor(rand() * 4)], preset);
        instances.push(id);
        rems.push(await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true }));
      }
      const apiStatuses: number[] = [];
      const retryAfter: (string | null)[] = [];
      const probe = async () => {
        for (const [method, url, body] of [
          ['GET', `/v1/remediations/${rems[0].id}`],
          ['GET', '/health'],
          ['POST', '/v1/remediations', { instanceId: 'i-0123456789abcdef0', region: 'eu-west-1', mode: 'diagnose' }],
        ] as const) {
          const res = await stack.http(method, url, body);
          apiStatuses.push(res.status);
          if (res.status === 503) retryAfter.push(res.headers.get('retry-after'));
        }
      };
      // Several short cuts, spread over the run, alternating PostgreSQL and Redis.
      for (let i = 0; i < 6; i++) {
        await sleep(400 + Math.floor(rand() * 900));
        const proxy = i % 2 === 0 ? pgProxy : redisProxy;
        proxy.cut();
        if (proxy === pgProxy) await probe();
        await sleep(300 + Math.floor(rand() * 1200));
        proxy.restore();
      }
      // Then one long cut of each.
      pgProxy.cut();
      await sleep(2000);
      await probe();
      await sleep(4000);
      pgProxy.restore();
      await sleep(500);
      redisProxy.cut();
      await sleep(6000);
      redisProxy.restore();

      const cutsOver = Date.now();
      const finals = await until(
        'every remediation to finish',
        async () => {
          const rows = (await pg.query(`SELECT id, state, outcome, reason, reason_detail FROM remediations WHERE id = ANY($1::uuid[])`, [rems.map((r) => r.id)])).rows;
          return rows.every((r) => r.state === 'finished') ? rows : null;
        },
        // Seed 202 timed out at 100 s in 2 of 5 fresh-clone CI runs on a loaded machine (never alone).
        200_000,
        250,
      ).catch(async (err) => {
        // Name the cause next time: where each unfinished remediation stands and what it did last.
        const open = (await pg.query(`SELECT id, state, step, version, updated_at FROM remediations WHERE id = ANY($1::uuid[]) AND state <> 'finished'`, [rems.map((r) => r.id)])).rows;
        for (const r of open) {
          const events = (await pg.query(`SELECT at, type, step, message FROM timeline_events WHERE remediation_id = $1 ORDER BY id DESC LIMIT 12`, [r.id])).rows.reverse();
          const runs = (await pg.query(`SELECT purpose, attempt, status, send_epoch, requested_at, sent_at, finished_at FROM command_runs WHERE remediation_id = $1 ORDER BY requested_at`, [r.id])).rows;
          const job = await stack.jobState(r.id);
          console.warn(`infra-outages seed ${seed}: unfinished ${JSON.stringify(r)} job ${JSON.stringify(job)}\nruns ${JSON.stringify(runs)}\n` + events.map((e) => `  ${new Date(e.at).toISOString()} ${e.type} ${e.step ?? ''} ${e.message}`).join('\n'));
        }
        console.warn(`infra-outages seed ${seed}: worker exits ${JSON.stringify(exits)}; its output's tail:\n${stack.outputOf(worker).slice(-12_000)}`);
        throw err;
      });
      // A slow finish (seed 202 once took over 100 s on a loaded machine, cause not found): say
      // where the slowest remediation spent its time, so the next occurrence names the cause.
      if (Date.now() - cutsOver > 60_000) {
        const last = (await pg.query(`SELECT id FROM remediations WHERE id = ANY($1::uuid[]) ORDER BY finished_at DESC LIMIT 1`, [rems.map((r) => r.id)])).rows[0].id;
        const events = (await pg.query(`SELECT at, type, step, message FROM timeline_events WHERE remediation_id = $1 ORDER BY id`, [last])).rows;
        console.warn(
          `infra-outages seed ${seed}: finished ${((Date.now() - cutsOver) / 1000).toFixed(0)} s after the cuts; slowest ${last}:\n` +
            events.map((e) => `  ${new Date(e.at).toISOString()} ${e.type} ${e.step ?? ''} ${String(e.message).slice(0, 140)}`).join('\n'),
        );
      }
      const byId = new Map(finals.map((r: Json) => [r.id, r]));
      for (const [i, rem] of rems.entries()) {
        const r = byId.get(rem.id)!;
        expect({ preset: PRESETS[i], outcome: r.outcome, reason: r.reason }).toEqual({ preset: PRESETS[i], outcome: PRESETS[i] === 'healthy' ? 'already_healthy' : 'fixed', reason: null });
        const cmds = await stack.simCommands(instances[i]);
        for (const script of CHANGING) expect({ i, script, n: countScript(cmds, script) }).toEqual({ i, script, n: Math.min(1, countScript(cmds, script)) });
        expect((await stack.groundTruth(instances[i])).canRdp).toBe(true);
      }
      // The worker process lived through every cut.
      expect(exits).toEqual([]);
      expect(worker.exitCode).toBeNull();
      // The API said "come back later" during the PostgreSQL cuts, never 500.
      expect(apiStatuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
      expect(apiStatuses).toContain(503);
      for (const ra of retryAfter) expect(Number(ra)).toBeGreaterThan(0);
      // And it answers normally again.
      expect((await stack.http('GET', '/health')).status).toBe(200);
    }, 300_000);
  });
}
