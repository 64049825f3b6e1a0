import { ChildProcess } from 'child_process';
import { Client } from 'pg';
import { Json, Stack } from '../support/stack';
import { duplicates, heldSends, ledger, SEEDS, waitUntil } from './support/send-faults';

/** One seed's own stack, database client and (at most one) worker process. */
class SeedRig {
  stack!: Stack;
  pg!: Client;
  private worker: ChildProcess | null = null;

  constructor(readonly seed: number) {}

  async open(): Promise<void> {
    this.stack = await Stack.start({ worker: 'none', sim: { seed: this.seed, rebootDownMs: 3000 }, config: { SEND_LOOKUP_MAX_S: 5 } });
    this.pg = new Client({ connectionString: this.stack.dbUrl });
    await this.pg.connect();
  }

  async close(): Promise<void> {
    await this.pg?.end();
    await this.stack?.close();
  }

  start(): void {
    this.worker = this.stack.spawnWorker();
  }

  async kill(): Promise<void> {
    const w = this.worker!;
    this.worker = null;
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await exited;
  }

  heldFor(id: string, stage: 'before' | 'after'): Promise<Json> {
    return waitUntil(`a ${stage}-send hold for ${id}`, async () => (await heldSends(this.stack)).find((h) => h.instanceIds.includes(id) && h.stage === stage));
  }

  async runStatus(remediationId: string, script: string): Promise<string | undefined> {
    return (await this.pg.query(`SELECT status FROM command_runs WHERE remediation_id = $1 AND script_name = $2`, [remediationId, script])).rows[0]?.status;
  }
}

/**
 * Defects 1 and 2 under kill -9 of the worker, timed on EVENTS, not the clock (needs `npm run build`):
 * - while a changing command is in `sending` and its send has not acted (the simulator holds the
 *   SendCommand before acting, the test sees it held and checks the run is `sending`, then kills);
 * - just after the send acted (held after acting, the answer never leaves);
 * - during the restart wait (after the timeline says the restart was scheduled).
 * A new worker then takes over. Counted on the simulated server: no changing command and no
 * restart ever executes twice. Each seed has its own stack; the seeds run side by side.
 */
describe('kill -9 of the worker at send events', () => {
  const rigs = SEEDS.map((seed) => new SeedRig(seed));
  beforeAll(async () => {
    await Promise.all(rigs.map((r) => r.open()));
  });
  afterAll(async () => {
    await Promise.all(rigs.map((r) => r.close()));
  });

  /** Runs `scenario` on every seed's rig at once and reports every seed that failed. */
  const onEverySeed = async (scenario: (rig: SeedRig) => Promise<void>) => {
    const results = await Promise.allSettled(rigs.map((rig) => scenario(rig)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`seed ${rigs[i].seed}: ${(r.reason as Error).message}`] : []));
    expect(failed).toEqual([]);
  };

  it('killed with a fix in `sending` before the send acted: nothing executes, and nothing is guessed unsent', () =>
    onEverySeed(async (rig) => {
      const { stack } = rig;
      const id = await stack.instance('2019', 'cause-a');
      await stack.setFaults(id, { holdSends: 'before', sendFaultScripts: ['set-single-session'] });
      rig.start();
      const rem = await stack.submit({ instanceId: id, mode: 'fix' });
      await rig.heldFor(id, 'before');
      expect(await rig.runStatus(rem.id, 'set-single-session')).toBe('sending');
      await rig.kill();
      await stack.setFaults(id, {});
      rig.start();
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      // The send never acted, but rdpfix cannot know that: it says so instead of sending again.
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'send_outcome_unknown' });
      const l = await ledger(stack, id);
      expect(duplicates(l)).toEqual([]);
      expect(l.byScript['set-single-session']).toBeUndefined();
      await rig.kill();
    }), 150_000);

  it('killed just after a fix was sent, before its answer: the new worker finds it, executed once', () =>
    onEverySeed(async (rig) => {
      const { stack } = rig;
      const id = await stack.instance('2019', 'cause-a');
      await stack.setFaults(id, { holdSends: 'after', sendFaultScripts: ['set-single-session'] });
      rig.start();
      const rem = await stack.submit({ instanceId: id, mode: 'fix' });
      await rig.heldFor(id, 'after');
      expect(await rig.runStatus(rem.id, 'set-single-session')).toBe('sending');
      await rig.kill();
      await stack.setFaults(id, {});
      rig.start();
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'fixed', reason: null });
      expect(r.timeline.map((e: Json) => e.type)).toContain('command_recovered');
      const l = await ledger(stack, id);
      expect(duplicates(l)).toEqual([]);
      expect(l.byScript['set-single-session']).toEqual({ received: 1, executed: 1, refused: 0 });
      expect(r.changes[0].before).toEqual(expect.objectContaining({ value: 1 }));
      await rig.kill();
    }), 150_000);

  it('killed just after the restart was sent, before its answer: one restart', () =>
    onEverySeed(async (rig) => {
      const { stack } = rig;
      const id = await stack.instance('2019', 'cause-b');
      await stack.setFaults(id, { holdSends: 'after', sendFaultScripts: ['restart-computer'] });
      rig.start();
      const rem = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
      await rig.heldFor(id, 'after');
      expect(await rig.runStatus(rem.id, 'restart-computer')).toBe('sending');
      await rig.kill();
      await stack.setFaults(id, {});
      rig.start();
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'fixed', reason: null });
      const l = await ledger(stack, id);
      expect(duplicates(l)).toEqual([]);
      expect(l.byScript['remove-rdsh-role']).toEqual({ received: 1, executed: 1, refused: 0 });
      expect(l.byScript['restart-computer']).toEqual({ received: 1, executed: 1, refused: 0 });
      await rig.kill();
    }), 150_000);

  it('killed during the restart wait: one change, one restart', () =>
    onEverySeed(async (rig) => {
      const { stack } = rig;
      const id = await stack.instance('2019', 'cause-b');
      rig.start();
      const rem = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
      await waitUntil('the restart to be scheduled', async () => ((await stack.get(rem.id)).timeline ?? []).some((e: Json) => e.type === 'reboot_scheduled') || undefined);
      await rig.kill();
      // With no worker the row is frozen where the kill found it: in the restart wait (the
      // simulated server stays down 3 s).
      expect(await stack.get(rem.id)).toMatchObject({ state: 'running', step: 'reboot' });
      rig.start();
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'fixed', reason: null });
      const l = await ledger(stack, id);
      expect(duplicates(l)).toEqual([]);
      expect(l.byScript['remove-rdsh-role']).toEqual({ received: 1, executed: 1, refused: 0 });
      expect(l.byScript['restart-computer']).toEqual({ received: 1, executed: 1, refused: 0 });
      await rig.kill();
    }), 150_000);
});
