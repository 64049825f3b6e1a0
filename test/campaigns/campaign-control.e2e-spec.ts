import { ChildProcess } from 'child_process';
import { Webhook } from 'standardwebhooks';
import { SseClient } from '../events/support/sse-client';
import { Receiver } from '../webhooks/support/receiver';
import { bearer, CampaignStack, createCampaign, getCampaign, report, simFleet, simStats, startCampaignStack, targetsOf, waitCampaign, waitUntil } from './support/harness';

/**
 * Issue 10 §7, §9, §10: pause, resume and cancel live in PostgreSQL and hold across a worker
 * killed with SIGKILL; resume never re-runs finished targets; cancel stops what is in flight
 * through the remediation cancel path (the channel's cancel) and says what it stopped; approvals
 * at fleet scale; webhooks on state changes only; live progress over SSE.
 */
describe('campaign control across worker restarts', () => {
  let s: CampaignStack;
  let worker: ChildProcess;
  let receiver: Receiver;

  const kill = async (w: ChildProcess) => {
    w.kill('SIGKILL');
    await new Promise((r) => (w.exitCode !== null || w.signalCode !== null ? r(null) : w.once('exit', r)));
  };
  const diagnoses = async (ids: string[]) => {
    let n = 0;
    for (const id of ids) n += (await s.stack.simCommands(id)).length;
    return n;
  };

  beforeAll(async () => {
    receiver = await Receiver.start();
    s = await startCampaignStack({ worker: 'none', sim: { scriptRunMs: { diagnose: 300 } } });
    worker = s.stack.spawnWorker();
  });
  afterAll(async () => {
    await s.close();
    await receiver.close();
  });

  it('pause drains and holds across a killed worker; resume finishes without re-running anything; webhooks on state changes only', async () => {
    const ids = await simFleet(s.stack, 8, { preset: 'healthy' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 2, callbackUrl: receiver.url('/campaigns'), targets: targetsOf(ids) });
    await waitCampaign(s.stack, c.id, ['running'], 60_000, (x) => x.counts.done >= 2);
    const paused = await s.stack.http('POST', `/v1/campaigns/${c.id}/pause`, undefined, bearer(s.keys.fleet));
    expect(paused.status).toBe(202);
    expect(paused.body.state).toBe('paused');
    // Draining: what was in flight finishes, nothing new starts.
    const drained = await waitCampaign(s.stack, c.id, ['paused'], 60_000, (x) => x.counts.running === 0);
    expect(drained.counts.pending).toBeGreaterThan(0);
    await kill(worker);
    const before = await diagnoses(ids);
    worker = s.stack.spawnWorker();
    // The new worker is up and scheduling (a one-target probe campaign completes), and has
    // had several safety passes since: the paused campaign still started nothing.
    const probe = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', targets: targetsOf(await simFleet(s.stack, 1)) });
    await waitCampaign(s.stack, probe.id, ['completed']);
    await new Promise((r) => setTimeout(r, 1500));
    const still = await getCampaign(s.stack, c.id);
    expect(still.state).toBe('paused');
    expect(still.counts.done).toBe(drained.counts.done);
    expect(await diagnoses(ids)).toBe(before);

    const resumed = await s.stack.http('POST', `/v1/campaigns/${c.id}/resume`, undefined, bearer(s.keys.fleet));
    expect(resumed.status).toBe(202);
    const done = await waitCampaign(s.stack, c.id, ['completed']);
    expect(done.outcomes).toEqual({ diagnosed: 8 });
    // Each instance ran its diagnose exactly once: resume re-ran nothing.
    for (const id of ids) expect((await s.stack.simCommands(id)).length).toBe(1);
    // Pausing a finished campaign is refused.
    expect((await s.stack.http('POST', `/v1/campaigns/${c.id}/pause`, undefined, bearer(s.keys.fleet))).status).toBe(409);

    // Webhooks: state changes only (no per-instance events), signed with the creator key's secret.
    const types = await waitUntil('the done webhook', async () => {
      const t = receiver.requests.filter((r) => r.path === '/campaigns').map((r) => JSON.parse(r.body).type);
      return t.includes('campaign.done') ? t : null;
    });
    expect(types.sort()).toEqual(['campaign.done', 'campaign.paused', 'campaign.started', 'campaign.wave_done']);
    const wh = new Webhook(s.fleetWebhookSecret);
    for (const r of receiver.requests.filter((x) => x.path === '/campaigns')) {
      const body = wh.verify(r.body, r.headers as Record<string, string>) as { data: { id: string } };
      expect(body.data.id).toBe(c.id);
    }
  });

  it('cancel with the worker dead: stops what is in flight at the provider, starts nothing more, and says so', async () => {
    const ids = await simFleet(s.stack, 10, { preset: 'healthy' });
    // A diagnose that never ends on its own: it is in flight until cancelled.
    for (const id of ids) await s.stack.setFaults(id, { hangScripts: ['diagnose'] });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 3, targets: targetsOf(ids) });
    // Fill the window (the ramp needs good completions, so the cap here is what the ramp allows: 1).
    await waitUntil('a diagnose in flight', async () => (await simStats(s.stack)).inFlight >= 1);
    const sse = await SseClient.open(`${s.stack.apiUrl}/v1/campaigns/${c.id}/events`, bearer(s.keys.support));
    expect(sse.status).toBe(200);
    await kill(worker);
    const sentBefore = (await simStats(s.stack)).invocationsCreated;
    const res = await s.stack.http('POST', `/v1/campaigns/${c.id}/cancel`, undefined, bearer(s.keys.fleet));
    expect(res.status).toBe(202);
    expect(res.body.state).toBe('cancelling');
    expect(res.body.cancel.notStarted.count).toBe(9);
    expect(res.body.cancel.inFlight.count).toBe(1);
    expect(res.body.cancel.inFlight.targets[0]).toMatchObject({ instanceId: ids[0], step: 'diagnose', effect: 'stopped_before_any_change' });
    // The cancel is in PostgreSQL: a new worker carries it out.
    worker = s.stack.spawnWorker();
    const done = await waitCampaign(s.stack, c.id, ['cancelled']);
    expect(done.outcomes).toEqual({ cancelled: 1, not_started: 9 });
    const stats = await simStats(s.stack);
    expect(stats.calls.CancelCommand).toBeGreaterThanOrEqual(1);
    expect(stats.invocationsCreated).toBe(sentBefore);
    expect(stats.inFlight).toBe(0);
    const rows = await report(s.stack, c.id);
    expect(rows.filter((r) => r.outcome === 'cancelled').map((r) => r.reason)).toEqual(['campaign_cancelled']);
    expect(new Set(rows.filter((r) => r.outcome === 'not_started').map((r) => r.reason))).toEqual(new Set(['campaign_cancelled']));
    // Live progress: the stream saw the cancel and the end, then closed.
    await sse.closed;
    const names = sse.events.map((e) => e.event);
    expect(names).toContain('progress');
    expect(names).toContain('campaign.cancel_requested');
    expect(names).toContain('campaign.done');
    expect(names[names.length - 1]).toBe('end');
    expect(sse.events[names.length - 1].data.state).toBe('cancelled');
    expect((await s.stack.http('POST', `/v1/campaigns/${c.id}/cancel`, undefined, bearer(s.keys.fleet))).status).toBe(409);
  });

  it('parks restarts for approval without allowReboot, and approves a subset then the rest within the cap', async () => {
    const causeB = await simFleet(s.stack, 4, { preset: 'cause-b' });
    const causeA = await simFleet(s.stack, 2, { preset: 'cause-a' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', maxConcurrency: 2, targets: targetsOf([...causeB, ...causeA]) });
    const parked = await waitCampaign(s.stack, c.id, ['running'], 60_000, (x) => x.counts.parked === 4 && x.counts.done === 2);
    expect(parked.outcomes).toEqual({ fixed: 2 });
    // Nothing restarted without consent.
    expect((await simStats(s.stack)).reboots).toBe(0);
    expect((await s.stack.http('POST', `/v1/campaigns/${c.id}/approve`, {}, bearer(s.keys.fleet))).status).toBe(400);
    expect((await s.stack.http('POST', `/v1/campaigns/${c.id}/approve`, { all: true }, bearer(s.keys.support))).status).toBe(403);
    const first = await s.stack.http('POST', `/v1/campaigns/${c.id}/approve`, { instanceIds: causeB.slice(0, 2) }, bearer(s.keys.fleet));
    expect(first.status).toBe(202);
    expect(first.body.approved).toBe(2);
    await waitCampaign(s.stack, c.id, ['running'], 60_000, (x) => x.outcomes.fixed === 4);
    expect((await getCampaign(s.stack, c.id)).counts.parked).toBe(2);
    const rest = await s.stack.http('POST', `/v1/campaigns/${c.id}/approve`, { all: true }, bearer(s.keys.fleet));
    expect(rest.body.approved).toBe(2);
    const done = await waitCampaign(s.stack, c.id, ['completed']);
    expect(done.outcomes).toEqual({ fixed: 6 });
    for (const id of causeB) expect((await s.stack.groundTruth(id)).canRdp).toBe(true);
    expect((await simStats(s.stack)).reboots).toBe(4);
  });
});
