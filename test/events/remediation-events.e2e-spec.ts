import { RemediationRepository } from '@rdpfix/persistence';
import { RemediationNotFoundError } from '@rdpfix/remediation';
import { EventsApp } from './support/events-app';
import { SseClient } from './support/sse-client';

// pageSize 3 makes every stream below cross page boundaries; heartbeat short enough to observe.
const OPTIONS = { pollMs: 100, heartbeatMs: 250, finishGraceMs: 1000, pageSize: 3 };

describe('GET /v1/remediations/:id/events (Server-Sent Events)', () => {
  let e: EventsApp;
  const clients: SseClient[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const c = await SseClient.open(`${e.url}${path}`, headers);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    e = await EventsApp.start(OPTIONS);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await e?.close();
  });

  /** A finished remediation with `n` progress events before `finished`. */
  async function finishedWith(n: number) {
    const r = await e.remediation('running');
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) ids.push((await e.event(r.id, i === 1 ? 'created' : 'step_completed', `event ${i}`, { i })).id);
    await e.finish(r);
    return { r, ids };
  }

  it('streams every event of a finished remediation, then `end`, then closes', async () => {
    const { r, ids } = await finishedWith(4);
    const c = await open(`/v1/remediations/${r.id}/events`);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(c.headers['cache-control']).toBe('no-cache, no-transform');
    await c.ended();

    expect(c.closedByServer).toBe(true);
    expect(c.retry).toBe(2000);
    expect(c.events.map((m) => m.event)).toEqual(['created', 'step_completed', 'step_completed', 'step_completed', 'finished', 'end']);
    expect(c.events.slice(0, 4).map((m) => m.id)).toEqual(ids);
    expect(c.events[0].data).toEqual({ id: ids[0], at: expect.any(String), type: 'created', step: 'diagnose', message: 'event 1', data: { i: 1 }, actor: null });
    expect(c.events[4].data).toMatchObject({ type: 'finished', data: { outcome: 'fixed', reason: null } });
    const end = c.events[5];
    expect(end.id).toBeUndefined();
    expect(end.data).toEqual({ id: r.id, state: 'finished', outcome: 'fixed', reason: null });
    // ids strictly increase
    const nums = c.events.slice(0, 5).map((m) => BigInt(m.id!));
    expect(nums.every((n, i) => i === 0 || n > nums[i - 1])).toBe(true);
  });

  it('resumes after Last-Event-ID with only later events', async () => {
    const { r, ids } = await finishedWith(5);
    const c = await open(`/v1/remediations/${r.id}/events`, { 'Last-Event-ID': ids[2] });
    await c.ended();
    expect(c.events.map((m) => m.id ?? 'end')).toEqual([ids[3], ids[4], expect.any(String), 'end']);
    expect(c.events.map((m) => m.event)).toEqual(['step_completed', 'step_completed', 'finished', 'end']);
  });

  it('resumes after ?lastEventId=, and the header wins over the query', async () => {
    const { r, ids } = await finishedWith(3);
    const q = await open(`/v1/remediations/${r.id}/events?lastEventId=${ids[1]}`);
    await q.ended();
    expect(q.events.map((m) => m.event)).toEqual(['step_completed', 'finished', 'end']);

    const both = await open(`/v1/remediations/${r.id}/events?lastEventId=${ids[0]}`, { 'Last-Event-ID': ids[2] });
    await both.ended();
    expect(both.events.map((m) => m.event)).toEqual(['finished', 'end']);
  });

  it('ends at once when resumed after the last event of a finished remediation', async () => {
    const { r } = await finishedWith(1);
    const all = await open(`/v1/remediations/${r.id}/events`);
    await all.ended();
    const lastId = all.events[all.events.length - 2].id!;
    await new Promise((res) => setTimeout(res, 1100)); // older than the finish grace
    const started = Date.now();
    const c = await open(`/v1/remediations/${r.id}/events`, { 'Last-Event-ID': lastId });
    await c.ended();
    expect(c.events.map((m) => m.event)).toEqual(['end']);
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('streams a running remediation live and ends with `end` when it finishes', async () => {
    const r = await e.remediation('running');
    await e.event(r.id, 'created');
    const c = await open(`/v1/remediations/${r.id}/events`);
    await c.waitFor((x) => x.events.length === 1);
    expect(c.closedByServer).toBe(false);

    const steps = ['step_started', 'command_sent', 'command_finished', 'step_completed', 'step_started'];
    for (const type of steps) {
      await e.event(r.id, type);
      await new Promise((res) => setTimeout(res, 60));
    }
    await c.waitFor((x) => x.events.length === 1 + steps.length);
    expect(c.closedByServer).toBe(false);
    const finishedAt = Date.now();
    await e.finish(r);
    await c.ended();

    expect(c.events.map((m) => m.event)).toEqual(['created', ...steps, 'finished', 'end']);
    // Events arrived while it ran, not in one batch at the end.
    expect(c.events[1].at).toBeLessThan(finishedAt);
    expect(e.service.activeStreams).toBe(0);
  });

  it('waits for the `finished` event written just after the state', async () => {
    const r = await e.remediation('running');
    const c = await open(`/v1/remediations/${r.id}/events`);
    await e.finish(r, 400); // state now, event 400 ms later (grace is 1000 ms)
    await c.ended();
    expect(c.events.map((m) => m.event)).toEqual(['finished', 'end']);
  });

  it('sends heartbeat comments while nothing happens', async () => {
    const r = await e.remediation('running');
    const c = await open(`/v1/remediations/${r.id}/events`);
    await c.waitFor((x) => x.comments.length >= 2, 3000);
    expect(c.comments[0]).toBe('heartbeat');
    expect(c.events).toHaveLength(0);
  });

  it('stops polling when the client goes away', async () => {
    const r = await e.remediation('running');
    // Streams of earlier tests may still be closing: start from a quiet service.
    const quiet = Date.now() + 10_000;
    while (e.service.activeStreams > 0 && Date.now() < quiet) await new Promise((res) => setTimeout(res, 20));
    const before = e.service.activeStreams;
    const c = await open(`/v1/remediations/${r.id}/events`);
    // Generous waits: under a loaded CI machine the server notices open and close a little later.
    const opened = Date.now() + 5000;
    while (e.service.activeStreams < before + 1 && Date.now() < opened) await new Promise((res) => setTimeout(res, 20));
    expect(e.service.activeStreams).toBe(before + 1);
    c.close();
    const until = Date.now() + 10_000;
    while (e.service.activeStreams > before && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    expect(e.service.activeStreams).toBe(before);
  });

  it('answers 404 JSON for an unknown remediation, before any stream', async () => {
    const c = await open('/v1/remediations/00000000-0000-4000-8000-000000000000/events');
    expect(c.status).toBe(404);
    expect(c.headers['content-type']).toMatch(/^application\/json/);
    expect(c.body).toMatchObject({ statusCode: 404, error: 'not_found' });
  });

  it('hides another tenant\'s remediation as not found (console keys)', async () => {
    const r = await e.remediation('running');
    await e.app.get(RemediationRepository).updateIfVersion(r.id, r.version, { tenantId: 'tenant-a' });
    await expect(e.service.assertVisible(r.id, 'tenant-b')).rejects.toBeInstanceOf(RemediationNotFoundError);
    await expect(e.service.assertVisible(r.id, 'tenant-a')).resolves.toBeUndefined();
    await expect(e.service.assertVisible(r.id, undefined)).resolves.toBeUndefined();
  });

  it('answers 400 JSON for a malformed id', async () => {
    const c = await open('/v1/remediations/not-a-uuid/events');
    expect(c.status).toBe(400);
    expect(c.body).toMatchObject({ statusCode: 400, error: 'validation_failed', fields: [{ field: 'id' }] });
  });

  it.each([['0'], ['-3'], ['abc'], ['1.5'], ['99999999999999999999'], ['']])('answers 400 for lastEventId=%j', async (bad) => {
    const r = await e.remediation('finished');
    const c = await open(`/v1/remediations/${r.id}/events?lastEventId=${encodeURIComponent(bad)}`);
    expect(c.status).toBe(400);
    expect(c.body).toMatchObject({ statusCode: 400, error: 'validation_failed', fields: [{ field: 'lastEventId' }] });
  });

  it('answers 400 for a malformed Last-Event-ID header', async () => {
    const r = await e.remediation('finished');
    const c = await open(`/v1/remediations/${r.id}/events`, { 'Last-Event-ID': 'seven' });
    expect(c.status).toBe(400);
    expect(c.body).toMatchObject({ statusCode: 400, fields: [{ field: 'Last-Event-ID' }] });
  });
});
