import { randomBytes } from 'crypto';
import { CampaignStack, createCampaign, getCampaign, resetSimStats, simFleet, simStats, startCampaignStack, targetsOf, waitCampaign } from './support/harness';
import { insertCampaignRemediations, waitFinished } from './support/batch-rows';
import { duplicates, heldSends, ledger, waitUntil } from '../faults/support/send-faults';

/**
 * Issue 10 §1: the batched command path. Campaign remediations request commands; the region's
 * dispatcher sends identical requests as one command (the simulator counts the sends), the
 * collector reads results per command and wakes the remediations; a send refused as a whole is
 * split; a lost answer is recovered by the batch's marker, each instance executing once.
 */
// A generous linger, so that a loaded machine spreading the 50 requests over seconds still makes one batch.
const BATCH_TEST_CONFIG = { BATCH_LINGER_MS: 5000, BATCH_MAX_LINGER_MS: 30000, BATCH_SAFETY_WAKE_MS: 20000 };

describe('batched command path', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: BATCH_TEST_CONFIG });
  });
  afterAll(async () => s.close());

  it('50 identical campaign requests become one send, and the precheck reads the inventory and instance information in a few calls', async () => {
    const ids = await simFleet(s.stack, 50, { preset: 'healthy' });
    await resetSimStats(s.stack);
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'diagnose' });
    const done = await waitFinished(s.pg, rems);
    expect(done.map((r) => r.outcome)).toEqual(Array(50).fill('diagnosed'));
    const stats = await simStats(s.stack);
    expect(stats.calls.SendCommand).toBe(1);
    expect(stats.invocationsCreated).toBe(50);
    // Batched DescribeInstanceInformation: at most half a call per instance (unbatched: one or more each).
    expect(stats.calls.DescribeInstanceInformation).toBeLessThanOrEqual(25);
    // Results were read per command (listings), never per instance.
    expect(stats.calls.GetCommandInvocation ?? 0).toBe(0);
    // The precheck's inventory reads (owner, platform) went in bulk lookups, not one call each.
    expect(stats.inventoryCalls.get).toBe(0);
    expect(stats.inventoryCalls.lookup).toBeGreaterThanOrEqual(1);
    expect(stats.inventoryCalls.lookup).toBeLessThanOrEqual(25);
    const { rows } = await s.pg.query(`SELECT run_count, status FROM command_batches`);
    expect(rows).toEqual([{ run_count: 50, status: 'done' }]);
  }, 180_000);

  it('a send refused as a whole (one instance id the channel does not know) is split: that run is rejected, the rest succeed', async () => {
    const ids = await simFleet(s.stack, 20, { preset: 'healthy' });
    // An instance that vanished between its precheck and the send: the channel refuses any send naming it.
    const ghost = `i-0${randomBytes(8).toString('hex')}`;
    await resetSimStats(s.stack);
    const rems = await insertCampaignRemediations(s.pg, [...ids, ghost], { mode: 'diagnose', step: 'diagnose' });
    const done = await waitFinished(s.pg, rems);
    const ghostRem = rems[rems.length - 1];
    for (const r of done) {
      if (r.id === ghostRem) expect(r.outcome).toBe('failed');
      else expect(r.outcome).toBe('diagnosed');
    }
    const runs = await s.pg.query(`SELECT status, instance_id FROM command_runs WHERE remediation_id = $1`, [ghostRem]);
    expect(runs.rows).toEqual([{ status: 'rejected', instance_id: ghost }]);
    const stats = await simStats(s.stack);
    // One refused send, then one send of the 20 others; each real instance ran its diagnose once.
    expect(stats.errors.InvalidInstanceId).toBe(1);
    expect(stats.calls.SendCommand).toBe(2);
    expect(stats.invocationsCreated).toBe(20);
  }, 180_000);
});

describe('batched command path: a single ticket fix beside a big campaign', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    // A tight call budget (8 calls/s), so that campaign work and the ticket compete for it.
    s = await startCampaignStack({ config: { ...BATCH_TEST_CONFIG, BATCH_LINGER_MS: 200, BATCH_MAX_LINGER_MS: 1000, CHANNEL_CALLS_PER_SECOND: 8 } });
  });
  afterAll(async () => s.close());

  const ticketLatency = async (): Promise<number> => {
    const id = await s.stack.instance('2019', 'healthy');
    const t0 = Date.now();
    const r = await s.stack.submit({ instanceId: id, mode: 'diagnose', source: 'ticket', ticketRef: `T-${randomBytes(3).toString('hex')}` });
    const done = await s.stack.waitFor(r.id, ['finished'], 120_000);
    expect(done.outcome).toBe('diagnosed');
    if (process.env.BATCH_DEBUG) console.log(JSON.stringify(done.timeline.map((e: { at: string; type: string }) => [e.at.slice(17, 23), e.type])));
    // Sent at once on the single path: never part of a batch.
    const batched = await s.pg.query(`SELECT count(*)::int AS n FROM command_runs WHERE remediation_id = $1 AND batch_id IS NOT NULL`, [r.id]);
    expect(batched.rows[0].n).toBe(0);
    return Date.now() - t0;
  };

  it('is not delayed by the campaign: its latency stays close to its latency alone', async () => {
    const alone = await ticketLatency();
    const ids = await simFleet(s.stack, 400, { preset: 'healthy' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 400, targets: targetsOf(ids) });
    // Wait until campaign batches are on the channel, then fix a ticket's instance.
    const end = Date.now() + 60_000;
    while ((await s.pg.query(`SELECT count(*)::int AS n FROM command_batches`)).rows[0].n < 4) {
      if (Date.now() > end) throw new Error('no campaign batch was sent');
      await new Promise((r) => setTimeout(r, 50));
    }
    const beside = await ticketLatency();
    // The campaign was really in flight while the ticket ran.
    expect((await getCampaign(s.stack, c.id)).state).toBe('running');
    expect({ alone, beside, ok: beside <= Math.max(3 * alone, alone + 4000) }).toEqual({ alone, beside, ok: true });
    const finished = await waitCampaign(s.stack, c.id, ['completed'], 240_000);
    expect(finished.outcomes).toEqual({ diagnosed: 400 });
  }, 300_000);
});

describe('batched command path: a lost send answer', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: BATCH_TEST_CONFIG, sim: { seed: 7 } });
  });
  afterAll(async () => s.close());

  it('is recovered by the batch marker; each instance executes its change once (simulator ledger)', async () => {
    const ids = await simFleet(s.stack, 10, { preset: 'cause-a' });
    // Every send acts on the server but its answer is dropped; the listing lags 1.5 s.
    await s.stack.setFaults(null, { dropSendResponseRate: 1, delayListingMs: 1500 });
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'fix', step: 'diagnose' });
    const done = await waitFinished(s.pg, rems, 150_000);
    expect(done.map((r) => r.outcome)).toEqual(Array(10).fill('fixed'));
    for (const id of ids) {
      const l = await ledger(s.stack, id);
      expect(duplicates(l)).toEqual([]);
      expect(l.byScript['set-single-session']).toEqual({ received: 1, executed: 1, refused: 0 });
      expect((await s.stack.groundTruth(id)).canRdp).toBe(true);
    }
    const types = (await s.pg.query(`SELECT DISTINCT type FROM timeline_events WHERE remediation_id = $1`, [rems[0]])).rows.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['command_send_unknown', 'command_recovered']));
    const batches = (await s.pg.query(`SELECT script_name, run_count FROM command_batches WHERE script_name = 'set-single-session'`)).rows;
    expect(batches.reduce((n, b) => n + b.run_count, 0)).toBe(10);
  }, 200_000);
});

describe('batched command path: several sends of a region in flight at once (BATCH_SENDS_IN_FLIGHT)', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: { ...BATCH_TEST_CONFIG, BATCH_SENDS_IN_FLIGHT: 4 } });
  });
  afterAll(async () => s.close());

  it('200 fixes: four sends held open together, never more; then each server runs each command once', async () => {
    const ids = await simFleet(s.stack, 200, { preset: 'cause-a' });
    // Every diagnose send acts on the servers and then holds its answer, so that the dispatcher's
    // concurrent sends pile up where they can be counted (an event, not a clock).
    await s.stack.setFaults(null, { holdSends: 'after', sendFaultScripts: ['diagnose'] });
    await resetSimStats(s.stack);
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'fix', step: 'diagnose', allowReboot: false });
    const held = await waitUntil('four sends held at once', async () => {
      const h = await heldSends(s.stack);
      return h.length >= 4 ? h : undefined;
    }, 120_000);
    expect(held).toHaveLength(4);
    // Never more than the lanes, though more requests are ready: every lane waits for its answer.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await heldSends(s.stack)).length).toBe(4);
    await s.stack.setFaults(null, { holdSends: null, sendFaultScripts: [] });
    const done = await waitFinished(s.pg, rems, 180_000);
    expect(done.map((r) => r.outcome)).toEqual(Array(200).fill('fixed'));
    for (const id of ids) {
      const l = await ledger(s.stack, id);
      expect({ id, dup: duplicates(l) }).toEqual({ id, dup: [] });
      expect({ id, executed: l.byScript['set-single-session']?.executed }).toEqual({ id, executed: 1 });
    }
    // Three commands per server, each sent once: 600 invocations, every batch closed.
    expect((await simStats(s.stack)).invocationsCreated).toBe(600);
    const { rows } = await s.pg.query(`SELECT sum(run_count)::int AS runs, count(*) FILTER (WHERE status <> 'done')::int AS open FROM command_batches`);
    expect(rows[0]).toEqual({ runs: 600, open: 0 });
  }, 300_000);
});
