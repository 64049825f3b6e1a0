import { bearer, CampaignStack, createCampaign, report, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';
import { Json } from '../support/stack';

/**
 * The ramp gates changes, not looks (docs/campaigns.md): a fix campaign diagnoses targets ahead of
 * its ramp, up to the cap, and holds each change at a gate until the ramp has a slot for it. What
 * reached the simulated servers is counted: the first change is alone until its target is
 * verified, then changes in flight never exceed 1 + the targets that ended well + the changes that
 * succeeded, and a stop ends the held targets without a change.
 */
describe('campaign change gate', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    // Changes take long enough (3 s restarts) that diagnoses could run ahead of them.
    s = await startCampaignStack({ sim: { rebootDownMs: 3000 } });
  });
  afterAll(async () => s.close());

  interface ServerTimes {
    diagnose: number | null;
    firstChange: number | null;
    changes: number;
    /** When its changing commands ended successfully on the server. */
    changesOkAt: number[];
  }

  /** What reached each simulated server, and when. */
  async function serverTimes(ids: string[]): Promise<Map<string, ServerTimes>> {
    const out = new Map<string, ServerTimes>();
    for (const id of ids) {
      const cmds = (await s.stack.simCommands(id)) as Json[];
      const at = (c: Json) => Date.parse(c.receivedAt);
      const diag = cmds.filter((c) => c.scriptName === 'diagnose').map(at);
      const changing = cmds.filter((c) => c.changing);
      out.set(id, {
        diagnose: diag.length ? Math.min(...diag) : null,
        firstChange: changing.length ? Math.min(...changing.map(at)) : null,
        changes: changing.length,
        changesOkAt: changing.filter((c) => c.status === 'Success' && c.endedAt).map((c) => Date.parse(c.endedAt)),
      });
    }
    return out;
  }

  it('diagnoses ahead of the ramp; one server changes until a fix is verified, then each change that succeeded opens one more', async () => {
    const ids = await simFleet(s.stack, 12, { preset: 'cause-b' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', allowReboot: true, maxConcurrency: 12, maxErrors: 0, targets: targetsOf(ids) });
    // Progress shows where the targets in flight stand at the gate: held ones, and (before a
    // fix is verified) at most one that may change its server.
    const seen = await waitCampaign(s.stack, c.id, ['running'], 60_000, (v) => v.progress.inFlight.heldAtGate >= 1);
    expect(seen.progress.inFlight.changing).toBeLessThanOrEqual(1);
    const done = await waitCampaign(s.stack, c.id, ['completed'], 180_000);
    expect(done.outcomes).toEqual({ fixed: 12 });
    const rows = await report(s.stack, c.id);
    const ended = new Map(rows.map((r) => [r.instanceId as string, Date.parse(r.finishedAt)]));
    const times = await serverTimes(ids);
    const changes = [...times.entries()].filter(([, t]) => t.firstChange !== null).sort((a, b) => a[1].firstChange! - b[1].firstChange!);
    expect(changes).toHaveLength(12);
    // The first change is alone: the second reached a server only after the first target ended, fixed.
    const [firstId] = changes[0];
    const firstFixed = ended.get(firstId)!;
    expect(changes[1][1].firstChange!).toBeGreaterThan(firstFixed);
    // At every first change, the servers being changed never exceed 1 + the targets that ended
    // well + the changes that had succeeded before it (what the ramp can have counted by then).
    const okAt = [...times.values()].flatMap((t) => t.changesOkAt);
    let peak = 0;
    for (const [, t] of changes) {
      const at = t.firstChange!;
      const changing = changes.filter(([id, u]) => u.firstChange! <= at && ended.get(id)! > at).length;
      const okBefore = rows.filter((r) => Date.parse(r.finishedAt) <= at && r.outcome === 'fixed').length;
      const window = okBefore === 0 ? 1 : 1 + okBefore + okAt.filter((x) => x <= at).length;
      expect({ at, changing }).toEqual({ at, changing: Math.min(changing, window) });
      peak = Math.max(peak, changing);
    }
    // The window grew faster than one per verified target: more changed at once than had been fixed + 1.
    expect(peak).toBeGreaterThan(2);
    // It looked ahead: most servers were diagnosed while the first one was still being changed
    // (without the gate, the ramp would have started just one target by then).
    const diagnosedEarly = [...times.values()].filter((t) => t.diagnose !== null && t.diagnose < changes[1][1].firstChange!).length;
    expect(diagnosedEarly).toBeGreaterThanOrEqual(8);
    // The held remediations say so in their timeline, and were not diagnosed twice (held only seconds).
    const { rows: held } = await s.pg.query(
      `SELECT count(DISTINCT e.remediation_id)::int AS n FROM timeline_events e JOIN remediations r ON r.id = e.remediation_id WHERE r.instance_id = ANY($1) AND e.type = 'held_at_gate'`,
      [ids],
    );
    expect(held[0].n).toBeGreaterThanOrEqual(8);
    const { rows: diagRuns } = await s.pg.query(
      `SELECT count(*)::int AS n FROM command_runs c JOIN remediations r ON r.id = c.remediation_id WHERE r.instance_id = ANY($1) AND c.purpose = 'diagnose'`,
      [ids],
    );
    expect(diagRuns[0].n).toBe(12);
    // The wave counted what opened it: 12 fixed, and each target's role removal and restart.
    const { rows: wave } = await s.pg.query(`SELECT cleared_ok, fixed_ok, changes_ok FROM campaign_waves WHERE campaign_id = $1`, [c.id]);
    expect(wave).toEqual([{ cleared_ok: 12, fixed_ok: 12, changes_ok: [...times.values()].reduce((n, t) => n + t.changesOkAt.length, 0) }]);
  });

  it('a stop cancels the targets held at the gate: they end not_started, and no change reaches them', async () => {
    // The first target changes slowly; an offline one ahead of the ramp exceeds maxUnreachable 0.
    const first = await simFleet(s.stack, 1, { preset: 'cause-b' });
    const offline = await simFleet(s.stack, 1, { preset: 'cause-b' });
    await s.stack.setAgent(offline[0], false);
    const rest = await simFleet(s.stack, 8, { preset: 'cause-b' });
    const ids = [...first, ...offline, ...rest];
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', allowReboot: true, maxConcurrency: 10, maxErrors: 0, maxUnreachable: 0, targets: targetsOf(ids) });
    const done = await waitCampaign(s.stack, c.id, ['stopped'], 180_000);
    expect(done.budget.stop.kind).toBe('unreachable');
    // The one target whose gate was open finishes its fix; the offline one is unreachable.
    expect(done.outcomes).toEqual({ fixed: 1, unreachable: 1, not_started: 8 });
    const rows = await report(s.stack, c.id);
    const byId = new Map(rows.map((r) => [r.instanceId as string, r]));
    expect(byId.get(first[0])!.outcome).toBe('fixed');
    for (const id of rest) expect(byId.get(id)!.reason).toBe('stopped_on_unreachable');
    const times = await serverTimes(rest);
    for (const [id, t] of times) expect({ id, changes: t.changes }).toEqual({ id, changes: 0 });
  });
});

describe('campaign change gate: pause, resume, and a hold past its deadline', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    // Held remediations look at their gate every second (instead of 30 s), so a deadline passes promptly.
    s = await startCampaignStack({ sim: { rebootDownMs: 3000 }, config: { CAMPAIGN_GATE_WAKE_MS: 1000 } });
  });
  afterAll(async () => s.close());

  const changesOn = async (id: string) => ((await s.stack.simCommands(id)) as Json[]).filter((c) => c.changing).length;

  it('a paused campaign opens no gate; a target held past its deadline ends not_started, unchanged; resume fixes the rest', async () => {
    const ids = await simFleet(s.stack, 6, { preset: 'cause-b' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', allowReboot: true, maxConcurrency: 6, maxErrors: 0, targets: targetsOf(ids) });
    await waitCampaign(s.stack, c.id, ['running'], 60_000, (v) => v.progress.inFlight.heldAtGate >= 3);
    const paused = await s.stack.http('POST', `/v1/campaigns/${c.id}/pause`, undefined, bearer(s.keys.fleet));
    expect(paused.status).toBe(202);
    // The one target whose gate was open finishes its fix; the held ones stay held.
    const quiet = await waitCampaign(s.stack, c.id, ['paused'], 60_000, (v) => v.progress.inFlight.changing === 0 && v.progress.inFlight.diagnosingAhead === 0);
    expect(quiet.progress.inFlight.heldAtGate).toBe(quiet.progress.inFlight.count);
    const { rows: held } = await s.pg.query(
      `SELECT t.instance_id, t.remediation_id FROM campaign_targets t WHERE t.campaign_id = $1 AND t.state = 'running' AND t.change_gate = 'held' ORDER BY t.seq`,
      [c.id],
    );
    expect(held.length).toBeGreaterThanOrEqual(3);
    // Several looks at the gate later, nothing reached a held server.
    await new Promise((r) => setTimeout(r, 2500));
    for (const h of held) expect({ id: h.instance_id, changes: await changesOn(h.instance_id) }).toEqual({ id: h.instance_id, changes: 0 });
    // Two of them pass their deadline while held.
    const expired = held.slice(0, 2);
    await s.pg.query(`UPDATE remediations SET deadline_at = now() - interval '1 second', version = version + 1 WHERE id = ANY($1::uuid[])`, [expired.map((h) => h.remediation_id)]);
    await waitCampaign(s.stack, c.id, ['paused'], 30_000, (v) => (v.outcomes.not_started ?? 0) === 2);
    const resumed = await s.stack.http('POST', `/v1/campaigns/${c.id}/resume`, undefined, bearer(s.keys.fleet));
    expect(resumed.status).toBe(202);
    const done = await waitCampaign(s.stack, c.id, ['completed'], 120_000);
    expect(done.outcomes).toEqual({ fixed: 4, not_started: 2 });
    const rows = await report(s.stack, c.id);
    for (const h of expired) {
      expect(rows.find((r) => r.instanceId === h.instance_id)).toMatchObject({ outcome: 'not_started', reason: 'held_past_deadline' });
      expect(await changesOn(h.instance_id)).toBe(0);
    }
    for (const h of held.slice(2)) expect(rows.find((r) => r.instanceId === h.instance_id)!.outcome).toBe('fixed');
  });
});
