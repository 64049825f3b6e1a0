import { Webhook } from 'standardwebhooks';
import { SseClient } from './events/support/sse-client';
import { Json, Stack } from './support/stack';
import { Receiver } from './webhooks/support/receiver';

/**
 * Issue 4 through the whole stack: signed webhooks from the real worker (verified with the
 * standardwebhooks verifier and the key's own secret), retries against a receiver that fails at
 * first, callback URL rejections, and the live SSE stream with Last-Event-ID resumption.
 */
describe('callers, live: webhooks and server-sent events', () => {
  let stack: Stack;
  let receiver: Receiver;
  let consoleKey: { key: string; webhookSecret: string };

  beforeAll(async () => {
    stack = await Stack.start();
    // Fails the first two deliveries, then accepts everything.
    receiver = await Receiver.start((n) => (n <= 2 ? 500 : 200));
    consoleKey = await stack.createKey('console', 'tenant-a');
  });
  afterAll(async () => {
    await receiver.close();
    await stack.close();
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('signs a webhook when approval is needed and when the remediation ends, retrying a failing receiver', async () => {
    const inst = await stack.instance('2019', 'cause-b', undefined, 'tenant-a');
    const c = await stack.submit({ instanceId: inst, mode: 'fix', source: 'console', callbackUrl: receiver.url('/rdp') }, as(consoleKey.key));
    await stack.waitFor(c.id, ['awaiting_approval']);
    const approve = await stack.http('POST', `/v1/remediations/${c.id}/approve`, undefined, as(consoleKey.key));
    expect(approve.status).toBe(202);
    await stack.waitFor(c.id);

    // Both events arrive (after the two failures), each verified with the key's secret.
    const until = Date.now() + 20_000;
    const types = () => new Set(receiver.requests.map((r) => JSON.parse(r.body).type));
    while (Date.now() < until && !(types().has('remediation.awaiting_approval') && types().has('remediation.finished') && receiver.requests.length >= 4)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const wh = new Webhook(consoleKey.webhookSecret);
    for (const req of receiver.requests) {
      const payload = wh.verify(req.body, req.headers as Record<string, string>) as Json;
      expect(payload.data.id).toBe(c.id);
    }
    expect(() => new Webhook('whsec_' + Buffer.from('another-secret-entirely-32bytes!').toString('base64')).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>)).toThrow();
    const finished = receiver.requests.map((r) => JSON.parse(r.body)).find((p) => p.type === 'remediation.finished');
    expect(finished.data).toEqual(expect.objectContaining({ id: c.id, instanceId: inst, outcome: 'fixed' }));
    // A retried delivery keeps its webhook-id.
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(2);

    // Every attempt is recorded and visible on the remediation.
    const r = await stack.get(c.id);
    expect(r.webhooks).toHaveLength(2);
    const attempts = r.webhooks.flatMap((d: Json) => d.attempts);
    expect(attempts.length).toBe(receiver.requests.length);
    expect(attempts.filter((a: Json) => a.statusCode === 500)).toHaveLength(2);
    for (const d of r.webhooks) expect(d.status).toBe('delivered');
    expect(JSON.stringify(r.webhooks)).not.toContain(consoleKey.webhookSecret);
  });

  it.each([
    ['plain http to a public host', 'http://example.com/hook'],
    ['a private address', 'https://10.0.0.8/hook'],
    ['loopback by name', 'https://localhost/hook'],
    ['the metadata service', 'https://169.254.169.254/latest'],
    ['credentials in the URL', 'https://user:secret@example.com/hook'],
    ['an IPv6 unique-local address', 'https://[fd00::1]/hook'],
    ['not a URL', 'definitely not a url'],
  ])('refuses a callback URL with %s (400, nothing written)', async (_n, url) => {
    const inst = await stack.instance('2019', 'healthy');
    const res = await stack.http('POST', '/v1/remediations', { instanceId: inst, region: 'eu-west-1', callbackUrl: url });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: Json) => f.field)).toContain('callbackUrl');
    const list = await stack.http('GET', `/v1/remediations?instanceId=${inst}`);
    expect(list.body.items).toEqual([]);
  });

  it('streams the timeline as server-sent events until the end, and resumes after Last-Event-ID', async () => {
    const inst = await stack.instance('2022', 'cause-a', undefined, 'tenant-a');
    const c = await stack.submit({ instanceId: inst, mode: 'fix', source: 'console' }, as(consoleKey.key));
    const live = await SseClient.open(`${stack.apiUrl}/v1/remediations/${c.id}/events`, as(consoleKey.key));
    expect(live.status).toBe(200);
    expect(String(live.headers['content-type'])).toContain('text/event-stream');
    await live.ended(30_000);
    const types = live.events.map((e) => e.event);
    expect(types[0]).toBe('created');
    expect(types).toEqual(expect.arrayContaining(['started', 'diagnosed', 'planned', 'change_applied', 'finished']));
    expect(types[types.length - 1]).toBe('end');
    const numbered = live.events.filter((e) => e.id);
    const mid = numbered[Math.floor(numbered.length / 2)];
    const resumed = await SseClient.open(`${stack.apiUrl}/v1/remediations/${c.id}/events`, { ...as(consoleKey.key), 'last-event-id': mid.id! });
    await resumed.ended(10_000);
    const resumedIds = resumed.events.filter((e) => e.id).map((e) => Number(e.id));
    expect(resumedIds.length).toBeGreaterThan(0);
    expect(Math.min(...resumedIds)).toBeGreaterThan(Number(mid.id));
    expect(resumedIds).toEqual(numbered.map((e) => Number(e.id)).filter((id) => id > Number(mid.id)));

    // Another tenant's console key sees nothing.
    const otherKey = await stack.createKey('console', 'tenant-b');
    const other = await SseClient.open(`${stack.apiUrl}/v1/remediations/${c.id}/events`, as(otherKey.key));
    expect(other.status).toBe(404);
    other.close();
  });

  it('caps open event streams per key (each one polls the database): the 21st is 429 until one closes', async () => {
    const inst = await stack.instance('2019', 'cause-b', undefined, 'tenant-a');
    const c = await stack.submit({ instanceId: inst, mode: 'fix' });
    await stack.waitFor(c.id, ['awaiting_approval']); // stays open: its streams do not end
    const key = (await stack.createKey('support')).key;
    const url = `${stack.apiUrl}/v1/remediations/${c.id}/events`;
    const streams = await Promise.all(Array.from({ length: 20 }, () => SseClient.open(url, as(key))));
    expect(streams.map((s) => s.status)).toEqual(Array(20).fill(200));
    const extra = await SseClient.open(url, as(key));
    expect(extra.status).toBe(429);
    expect(extra.body.error).toBe('too_many_streams');
    // Another key is not affected.
    const other = await SseClient.open(url, as(consoleKey.key));
    expect(other.status).toBe(200);
    other.close();
    streams[0].close();
    let again: SseClient | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      again?.close();
      await new Promise((r) => setTimeout(r, 100));
      again = await SseClient.open(url, as(key));
    }
    expect(again!.status).toBe(200);
    for (const s of [...streams, again!]) s.close();
  });
});

