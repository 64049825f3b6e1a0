import { countScript, scriptsReceived as scriptsOf } from './support/commands';
import { Json, Stack } from './support/stack';
import { duplicates, ledger } from './faults/support/send-faults';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Postgres is the truth: a worker killed with SIGKILL at any moment, or a Redis that lost every
 * key, must not lose a remediation nor repeat a fix or a reboot.
 */
describe('resilience', () => {
  describe('kill -9 of the worker', () => {
    let stack: Stack;
    beforeAll(async () => {
      // Slower commands so kills land in the middle of sends, polls and reboots.
      stack = await Stack.start({ worker: 'none', sim: { pendingMs: 150, runMs: 400, invisibleMs: 300, rebootDownMs: 1500 } });
    });
    afterAll(async () => stack.close());

    it('a restarted worker completes every remediation without sending any apply or reboot twice', async () => {
      const presets = ['cause-a', 'cause-b', 'cause-a-and-b', 'cause-b', 'cause-a', 'cause-a-and-b', 'cause-b', 'healthy'];
      const oses = ['2012', '2012R2', '2016', '2019', '2022', '2025', '2008R2', '2019'];
      const instances: string[] = [];
      const remediations: Json[] = [];
      for (let i = 0; i < presets.length; i++) {
        const id = await stack.instance(oses[i], presets[i]);
        instances.push(id);
        remediations.push(await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true }));
      }
      // Kill the worker repeatedly at varied moments, each time starting a fresh one.
      const kills = [700, 400, 1100, 300, 900, 600, 1300, 500];
      for (const after of kills) {
        const child = stack.spawnWorker();
        await sleep(after);
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
      stack.spawnWorker();
      const finals = await Promise.all(remediations.map((r) => stack.waitFor(r.id, ['finished'], 90_000)));
      for (const [i, r] of finals.entries()) {
        expect({ preset: presets[i], outcome: r.outcome, reason: r.reason }).toEqual({ preset: presets[i], outcome: presets[i] === 'healthy' ? 'already_healthy' : 'fixed', reason: null });
        const cmds = await stack.simCommands(instances[i]);
        for (const script of ['set-single-session', 'remove-rdsh-role', 'restart-computer']) {
          expect({ instance: i, script, n: countScript(cmds, script) }).toEqual({ instance: i, script, n: Math.min(1, countScript(cmds, script)) });
        }
        expect((await stack.groundTruth(instances[i])).canRdp).toBe(true);
      }
      // Counted where it matters, on the simulated servers (a unique index on command_runs would
      // make an SQL count of duplicate rows unable to fail): every changing command reached its
      // server at most once, under one run id, and its body ran at most once.
      for (const [i, id] of instances.entries()) {
        const l = await ledger(stack, id);
        expect({ instance: i, duplicates: duplicates(l) }).toEqual({ instance: i, duplicates: [] });
        for (const r of l.runs) expect({ instance: i, script: r.script, executed: r.executed }).toEqual({ instance: i, script: r.script, executed: Math.min(1, r.executed) });
      }
    }, 150_000);
  });

  describe('Redis loses every key', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start({ worker: 'none', sim: { pendingMs: 100, runMs: 300 }, config: { APPROVAL_TTL_S: 2 } });
    });
    afterAll(async () => stack.close());

    it('the reconciler re-enqueues active remediations that have no job, and they complete', async () => {
      const ids: string[] = [];
      const rems: Json[] = [];
      for (const preset of ['cause-a', 'cause-b', 'cause-a-and-b']) {
        const id = await stack.instance('2019', preset);
        ids.push(id);
        rems.push(await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true }));
      }
      // Jobs are in Redis but no worker runs: wipe them all.
      const deleted = await stack.flushQueueKeys();
      expect(deleted).toBeGreaterThan(0);
      await stack.startInProcessWorker();
      const finals = await Promise.all(rems.map((r) => stack.waitFor(r.id, ['finished'], 60_000)));
      expect(finals.map((r) => r.outcome)).toEqual(['fixed', 'fixed', 'fixed']);
      for (const r of finals) expect(r.timeline.map((e: Json) => e.type)).toContain('requeued');
      for (const id of ids) expect((await stack.groundTruth(id)).canRdp).toBe(true);
    }, 90_000);

    it('mid-flight: a remediation waiting on a command survives a flush and sends nothing twice', async () => {
      const id = await stack.instance('2016', 'cause-b');
      const rem = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
      await stack.waitFor(rem.id, ['running']);
      // Let it get into apply or reboot, then lose Redis.
      for (let i = 0; i < 100; i++) {
        const r = await stack.get(rem.id);
        if (r.step === 'reboot' || r.step === 'apply') break;
        await sleep(50);
      }
      await stack.flushQueueKeys();
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      expect(r.outcome).toBe('fixed');
      const cmds = await stack.simCommands(id);
      expect(countScript(cmds, 'remove-rdsh-role')).toBe(1);
      expect(countScript(cmds, 'restart-computer')).toBe(1);
    }, 90_000);

    it('an approval that is not given in time expires: failed (approval_expired), no reboot', async () => {
      await stack.startInProcessWorker();
      const id = await stack.instance('2019', 'cause-b');
      const rem = await stack.submit({ instanceId: id, mode: 'fix' });
      const parked = await stack.waitFor(rem.id, ['awaiting_approval', 'finished'], 30_000);
      expect(parked.state).toBe('awaiting_approval');
      const r = await stack.waitFor(rem.id, ['finished'], 30_000);
      expect(r).toEqual(expect.objectContaining({ outcome: 'failed', reason: 'approval_expired' }));
      expect(countScript(await stack.simCommands(id), 'restart-computer')).toBe(0);
      expect((await stack.http('POST', `/v1/remediations/${rem.id}/approve`)).status).toBe(409);
    }, 60_000);
  });

  describe('a throttling channel', () => {
    let stack: Stack;
    beforeAll(async () => {
      // Half of all SSM calls throttled, plus a hard API rate limit at the simulated cloud.
      stack = await Stack.start({ sim: { faults: { throttleRate: 0.5 }, apiRateLimit: 40 }, config: { CHANNEL_MAX_ATTEMPTS: 2 } });
    });
    afterAll(async () => stack.close());

    it('remediations still complete, backing off instead of failing, and no change is sent twice', async () => {
      const presets = ['cause-a', 'cause-b', 'cause-a-and-b', 'cause-a'];
      const ids: string[] = [];
      const rems: Json[] = [];
      for (const p of presets) {
        const id = await stack.instance('2019', p);
        ids.push(id);
        rems.push(await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true }));
      }
      const finals = await Promise.all(rems.map((r) => stack.waitFor(r.id, ['finished'], 90_000)));
      expect(finals.map((r) => r.outcome)).toEqual(['fixed', 'fixed', 'fixed', 'fixed']);
      const stats = (await stack.http('GET', `${stack.simUrl}/admin/stats`)).body;
      expect(stats.throttled).toBeGreaterThan(10);
      for (const id of ids) {
        const cmds = await stack.simCommands(id);
        for (const script of ['set-single-session', 'remove-rdsh-role', 'restart-computer']) expect(countScript(cmds, script)).toBeLessThanOrEqual(1);
        expect((await stack.groundTruth(id)).canRdp).toBe(true);
      }
    }, 120_000);
  });

  describe('the overall deadline', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start({ config: { REMEDIATION_DEADLINE_S: 2 } });
    });
    afterAll(async () => stack.close());

    it('a remediation stuck on a command ends failed (deadline_exceeded) instead of waiting forever', async () => {
      const id = await stack.instance('2019', 'cause-a');
      await stack.setFaults(id, { hangScripts: ['diagnose'] });
      const r = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix' })).id, ['finished'], 30_000);
      expect(r).toEqual(expect.objectContaining({ outcome: 'failed', reason: 'deadline_exceeded' }));
      expect(r.reasonDetail).toMatch(/deadline/);
      expect(scriptsOf(await stack.simCommands(id))).toEqual(['diagnose']);
    });
  });

  describe('a server that does not come back in time', () => {
    let stack: Stack;
    beforeAll(async () => {
      // The simulated reboot keeps the agent away for 6 s; rdpfix waits at most 2 s.
      stack = await Stack.start({ sim: { rebootDownMs: 6000 }, config: { REBOOT_DEADLINE_S: 2 } });
    });
    afterAll(async () => stack.close());

    it('ends failed (reboot_not_observed) with advice, after exactly one restart', async () => {
      const id = await stack.instance('2019', 'cause-b');
      const r = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true })).id, ['finished'], 30_000);
      expect(r).toEqual(expect.objectContaining({ outcome: 'failed', reason: 'reboot_not_observed', rebooted: true }));
      expect(r.reasonDetail).toMatch(/VNC console/);
      expect(countScript(await stack.simCommands(id), 'restart-computer')).toBe(1);
    });
  });
});

