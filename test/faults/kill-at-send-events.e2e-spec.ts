import { ChildProcess } from 'child_process';
import { Client } from 'pg';
import { Json, Stack } from '../support/stack';
import { duplicates, heldSends, ledger, SEEDS, waitUntil } from './support/send-faults';

/**
 * Defects 1 and 2 under kill -9 of the worker, timed on EVENTS, not the clock (needs `npm run build`):
 * - while a changing command is in `sending` and its send has not acted (the simulator holds the
 *   SendCommand before acting, the test sees it held and checks the run is `sending`, then kills);
 * - just after the send acted (held after acting, the answer never leaves);
 * - during the restart wait (after the timeline says the restart was scheduled).
 * A new worker then takes over. Counted on the simulated server: no changing command and no
 * restart ever executes twice.
 */
describe.each(SEEDS)('kill -9 of the worker at send events (seed %i)', (seed) => {
  let stack: Stack;
  let pg: Client;
  let worker: ChildProcess | null = null;
  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none', sim: { seed }, config: { SEND_LOOKUP_MAX_S: 5 } });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  const start = () => (worker = stack.spawnWorker());
  const kill = async () => {
    const w = worker!;
    worker = null;
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await exited;
  };
  const heldFor = (id: string, stage: 'before' | 'after') =>
    waitUntil(`a ${stage}-send hold for ${id}`, async () => (await heldSends(stack)).find((h) => h.instanceIds.includes(id) && h.stage === stage));
  const runStatus = async (remediationId: string, script: string): Promise<string | undefined> =>
    (await pg.query(`SELECT status FROM command_runs WHERE remediation_id = $1 AND script_name = $2`, [remediationId, script])).rows[0]?.status;

  it('killed with a fix in `sending` before the send acted: nothing executes, and nothing is guessed unsent', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(id, { holdSends: 'before', sendFaultScripts: ['set-single-session'] });
    start();
    const rem = await stack.submit({ instanceId: id, mode: 'fix' });
    await heldFor(id, 'before');
    expect(await runStatus(rem.id, 'set-single-session')).toBe('sending');
    await kill();
    await stack.setFaults(id, {});
    start();
    const r = await stack.waitFor(rem.id, ['finished'], 60_000);
    // The send never acted, but rdpfix cannot know that: it says so instead of sending again.
    expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'send_outcome_unknown' });
    const l = await ledger(stack, id);
    expect(duplicates(l)).toEqual([]);
    expect(l.byScript['set-single-session']).toBeUndefined();
    await kill();
  }, 120_000);

  it('killed just after a fix was sent, before its answer: the new worker finds it, executed once', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(id, { holdSends: 'after', sendFaultScripts: ['set-single-session'] });
    start();
    const rem = await stack.submit({ instanceId: id, mode: 'fix' });
    await heldFor(id, 'after');
    expect(await runStatus(rem.id, 'set-single-session')).toBe('sending');
    await kill();
    await stack.setFaults(id, {});
    start();
    const r = await stack.waitFor(rem.id, ['finished'], 60_000);
    expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'fixed', reason: null });
    expect(r.timeline.map((e: Json) => e.type)).toContain('command_recovered');
    const l = await ledger(stack, id);
    expect(duplicates(l)).toEqual([]);
    expect(l.byScript['set-single-session']).toEqual({ received: 1, executed: 1, refused: 0 });
    expect(r.changes[0].before).toEqual(expect.objectContaining({ value: 1 }));
    await kill();
  }, 120_000);

  it('killed just after the restart was sent, before its answer: one restart', async () => {
    const id = await stack.instance('2019', 'cause-b');
    await stack.setFaults(id, { holdSends: 'after', sendFaultScripts: ['restart-computer'] });
    start();
    const rem = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
    await heldFor(id, 'after');
    expect(await runStatus(rem.id, 'restart-computer')).toBe('sending');
    await kill();
    await stack.setFaults(id, {});
    start();
    const r = await stack.waitFor(rem.id, ['finished'], 60_000);
    expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'fixed', reason: null });
    const l = await ledger(stack, id);
    expect(duplicates(l)).toEqual([]);
    expect(l.byScript['remove-rdsh-role']).toEqual({ received: 1, executed: 1, refused: 0 });
    expect(l.byScript['restart-computer']).toEqual({ received: 1, executed: 1, refused: 0 });
    await kill();
  }, 120_000);

  it('killed during the restart wait: one change, one restart', async () => {
    const id = await stack.instance('2019', 'cause-b');
    start();
    const rem = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
    await waitUntil('the restart to be scheduled', async () => ((await stack.get(rem.id)).timeline ?? []).some((e: Json) => e.type === 'reboot_scheduled') || undefined);
    await kill();
    start();
    const r = await stack.waitFor(rem.id, ['finished'], 60_000);
    expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'fixed', reason: null });
    const l = await ledger(stack, id);
    expect(duplicates(l)).toEqual([]);
    expect(l.byScript['remove-rdsh-role']).toEqual({ received: 1, executed: 1, refused: 0 });
    expect(l.byScript['restart-computer']).toEqual({ received: 1, executed: 1, refused: 0 });
    await kill();
  }, 120_000);
});
