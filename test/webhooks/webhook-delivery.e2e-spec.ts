import { Webhook } from 'standardwebhooks';
import {
  WEBHOOK_EVENTS,
  WebhookAttemptEntity,
  WebhookDeliveryEntity,
  WebhookDeliveryRepository,
  WebhookDeliveryService,
  WebhookEnqueuer,
  WebhookListener,
  WebhookQueue,
  WebhookSweeper,
  buildWebhookPayload,
} from '@rdpfix/webhooks';
import { eventually, WebhookHarness } from './support/webhook-harness';
import { Receiver } from './support/receiver';

// Schedule 1,2,3,4 s scaled by 0.02: waits of 20, 40, 60, 80 ms, i.e. at most 5 attempts.
const CONFIG = { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost', WEBHOOK_RETRY_SCHEDULE_S: '1,2,3,4', WEBHOOK_RETRY_SCALE: 0.02, WEBHOOK_TIMEOUT_MS: 300 };

describe('webhook delivery (PostgreSQL + Redis + BullMQ)', () => {
  let h: WebhookHarness;
  const receivers: Receiver[] = [];
  const receiver = async (b?: Parameters<typeof Receiver.start>[0]) => {
    const r = await Receiver.start(b);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await WebhookHarness.start(CONFIG, { 'rebind.test': ['127.0.0.1'] });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await h?.close();
  });

  const repo = () => h.get<WebhookDeliveryRepository>(WebhookDeliveryRepository);
  const listener = () => h.get<WebhookListener>(WebhookListener);
  const settled = (id: string, timeoutMs = 15_000) =>
    eventually(async () => {
      const d = await repo().findById(id);
      return d && d.status !== 'pending' ? d : null;
    }, timeoutMs, `delivery ${id} to settle`);
  const deliveryOf = async (remediationId: string, type: string = WEBHOOK_EVENTS.finished) =>
    eventually(() => h.ds.getRepository(WebhookDeliveryEntity).findOne({ where: { remediationId, eventType: type as never } }), 5000, 'delivery row');
  const attemptsOf = (deliveryId: string) => h.ds.getRepository(WebhookAttemptEntity).find({ where: { deliveryId }, order: { attempt: 'ASC' } });

  it('delivers a signed remediation.finished a Standard Webhooks receiver verifies', async () => {
    const rx = await receiver();
    const r = await h.remediation({ callbackUrl: rx.url('/hooks/rdpfix?ticket=SUP-42') });
    await listener().onFinished(r);
    const d = await settled((await deliveryOf(r.id)).id);

    expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null });
    expect(d.deliveredAt).toBeInstanceOf(Date);
    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0];
    expect(req.path).toBe('/hooks/rdpfix?ticket=SUP-42');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-id']).toBe(d.id);
    const verified = new Webhook(h.config.WEBHOOK_SECRET).verify(req.body, req.headers as Record<string, string>);
    expect(verified).toEqual({
      type: 'remediation.finished',
      timestamp: expect.any(String),
      data: expect.objectContaining({ id: r.id, instanceId: r.instanceId, region: 'eu-west-1', state: 'finished', outcome: 'fixed', ticketRef: 'SUP-42' }),
    });
    expect(() => new Webhook('whsec_' + Buffer.from('not the secret, but long enough').toString('base64')).verify(req.body, req.headers as Record<string, string>)).toThrow();
    expect(req.body).not.toContain(h.config.WEBHOOK_SECRET);
    expect(await attemptsOf(d.id)).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, error: null })]);
  });

  it('retries a failing receiver on the schedule with the same webhook-id until it succeeds', async () => {
    const rx = await receiver((n) => (n <= 3 ? 500 : 200));
    const r = await h.remediation({ callbackUrl: rx.url() });
    await listener().onFinished(r);
    const d = await settled((await deliveryOf(r.id)).id);

    expect(d).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 200 });
    const attempts = await attemptsOf(d.id);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 500, 'HTTP 500'],
      [4, 200, null],
    ]);
    expect(new Set(rx.requests.map((q) => q.headers['webhook-id']))).toEqual(new Set([d.id]));
    expect(new Set(rx.requests.map((q) => q.body)).size).toBe(1); // byte-identical on every retry
    for (const q of rx.requests) expect(() => new Webhook(h.config.WEBHOOK_SECRET).verify(q.body, q.headers as Record<string, string>)).not.toThrow();
    // Each wait is at least the scheduled one (20, 40, 60 ms).
    const gaps = rx.requests.slice(1).map((q, i) => q.at - rx.requests[i].at);
    [20, 40, 60].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2));
  });

  it('exhausts the schedule against a receiver that always fails and ends failed', async () => {
    const rx = await receiver(() => 503);
    const r = await h.remediation({ callbackUrl: rx.url() });
    await listener().onFinished(r);
    const d = await settled((await deliveryOf(r.id)).id);

    expect(d).toMatchObject({ status: 'failed', attempts: 5, lastStatusCode: 503, deliveredAt: null, nextAttemptAt: null });
    expect(d.lastError).toMatch(/HTTP 503 \(gave up after 5 attempts\)/);
    expect((await attemptsOf(d.id)).map((a) => a.statusCode)).toEqual([503, 503, 503, 503, 503]);
    await new Promise((res) => setTimeout(res, 300));
    expect(rx.requests).toHaveLength(5);
  });

  it('times out a receiver that never answers, and retries it', async () => {
    const rx = await receiver((n) => (n <= 2 ? 'hang' : 204));
    const r = await h.remediation({ callbackUrl: rx.url() });
    await listener().onFinished(r);
    const d = await settled((await deliveryOf(r.id)).id);

    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    const attempts = await attemptsOf(d.id);
    for (const a of attempts.slice(0, 2)) {
      expect(a).toMatchObject({ statusCode: null, error: 'timed out after 300 ms' });
      expect(a.durationMs).toBeGreaterThanOrEqual(295);
      expect(a.durationMs).toBeLessThan(2000);
    }
  });

  it('records and sends an event once even when the listener is told twice', async () => {
    const rx = await receiver();
    const r = await h.remediation({ callbackUrl: rx.url() });
    await Promise.all([listener().onFinished(r), listener().onFinished(r)]);
    const d = await settled((await deliveryOf(r.id)).id);
    await listener().onFinished(r); // after delivery, too
    await new Promise((res) => setTimeout(res, 500));

    expect(rx.requests).toHaveLength(1);
    expect(await h.ds.getRepository(WebhookDeliveryEntity).count({ where: { remediationId: r.id } })).toBe(1);
    expect(await attemptsOf(d.id)).toHaveLength(1);
  });

  it('sends remediation.awaiting_approval and later remediation.finished as separate deliveries', async () => {
    const rx = await receiver();
    const expires = new Date(Date.now() + 3600_000);
    const parked = await h.remediation({ callbackUrl: rx.url(), state: 'awaiting_approval', approvalExpiresAt: expires });
    await listener().onAwaitingApproval(parked);
    await settled((await deliveryOf(parked.id, WEBHOOK_EVENTS.awaitingApproval)).id);
    await listener().onFinished({ ...parked, state: 'finished', outcome: 'fixed' } as never);
    await settled((await deliveryOf(parked.id)).id);

    const bodies = rx.requests.map((q) => JSON.parse(q.body));
    expect(bodies.map((b) => b.type)).toEqual(['remediation.awaiting_approval', 'remediation.finished']);
    expect(bodies[0].data).toMatchObject({ state: 'awaiting_approval', outcome: null, approvalExpiresAt: expires.toISOString() });
    expect(rx.requests[0].headers['webhook-id']).not.toBe(rx.requests[1].headers['webhook-id']);
  });

  it('does not retry a 4xx rejection, but retries 429', async () => {
    const gone = await receiver(() => 410);
    const r1 = await h.remediation({ callbackUrl: gone.url() });
    await listener().onFinished(r1);
    const d1 = await settled((await deliveryOf(r1.id)).id);
    expect(d1).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410, lastError: 'HTTP 410 (permanent, not retried)' });

    const busy = await receiver((n) => (n === 1 ? 429 : 200));
    const r2 = await h.remediation({ callbackUrl: busy.url() });
    await listener().onFinished(r2);
    expect(await settled((await deliveryOf(r2.id)).id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('sends nothing without a callback URL, and records why a forbidden URL got nothing', async () => {
    const none = await h.remediation({ callbackUrl: null });
    expect(await h.get<WebhookEnqueuer>(WebhookEnqueuer).enqueue(WEBHOOK_EVENTS.finished, none)).toBeNull();
    expect(await h.ds.getRepository(WebhookDeliveryEntity).count({ where: { remediationId: none.id } })).toBe(0);

    const bad = await h.remediation({ callbackUrl: 'https://169.254.169.254/latest/meta-data/' });
    await listener().onFinished(bad);
    const d = await deliveryOf(bad.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 0, lastError: 'not sent: callback URL host 169.254.169.254 is a cloud metadata address' });
    expect(await attemptsOf(d.id)).toHaveLength(0);
  });

  it('fails a delivery permanently when its host resolves to a private address at delivery time', async () => {
    const r = await h.remediation({ callbackUrl: 'https://rebind.test/hook' });
    await listener().onFinished(r);
    const d = await settled((await deliveryOf(r.id)).id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
    expect(d.lastError).toBe('callback URL host rebind.test resolves to 127.0.0.1, a loopback address (permanent, not retried)');
    expect(await attemptsOf(d.id)).toEqual([expect.objectContaining({ attempt: 1, statusCode: null, error: 'callback URL host rebind.test resolves to 127.0.0.1, a loopback address' })]);
  });

  it('connects to an allow-listed name through the address-pinning lookup', async () => {
    const rx = await receiver();
    const r = await h.remediation({ callbackUrl: rx.url().replace('127.0.0.1', 'localhost') });
    await listener().onFinished(r);
    expect(await settled((await deliveryOf(r.id)).id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(rx.requests[0].headers.host).toMatch(/^localhost:\d+$/);
  });

  it('the sweeper re-adds the job of a pending delivery that Redis lost', async () => {
    const rx = await receiver();
    const r = await h.remediation({ callbackUrl: rx.url() });
    // A row whose enqueue never happened (Redis was down), overdue for two minutes.
    const { delivery } = await repo().insertOnce({
      remediationId: r.id,
      eventType: WEBHOOK_EVENTS.finished,
      url: rx.url(),
      payload: buildWebhookPayload(WEBHOOK_EVENTS.finished, r),
      status: 'pending',
      lastError: null,
      nextAttemptAt: new Date(Date.now() - 120_000),
    });
    await new Promise((res) => setTimeout(res, 200));
    expect(rx.requests).toHaveLength(0);
    expect(await h.get<WebhookSweeper>(WebhookSweeper).tick()).toBe(1);
    expect(await settled(delivery.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await h.get<WebhookSweeper>(WebhookSweeper).tick()).toBe(0);
    // Re-adding a delivered one does nothing.
    await h.get<WebhookQueue>(WebhookQueue).ensureJob(delivery.id);
    await new Promise((res) => setTimeout(res, 300));
    expect(rx.requests).toHaveLength(1);
  });

  it('the sweeper records an event the listener never got (worker died after the commit)', async () => {
    const rx = await receiver();
    const finished = await h.remediation({ callbackUrl: rx.url('/finished'), finishedAt: new Date(Date.now() - 5 * 60_000) });
    const parked = await h.remediation({ callbackUrl: rx.url('/parked'), state: 'awaiting_approval', approvalExpiresAt: new Date(Date.now() + 3600_000) });
    await h.ds.query(`UPDATE remediations SET updated_at = now() - interval '5 minutes' WHERE id = $1`, [parked.id]);
    const tooOld = await h.remediation({ callbackUrl: rx.url('/old'), finishedAt: new Date(Date.now() - 7 * 3600_000) });

    expect(await h.get<WebhookSweeper>(WebhookSweeper).tick()).toBe(2);
    await settled((await deliveryOf(finished.id)).id);
    await settled((await deliveryOf(parked.id, WEBHOOK_EVENTS.awaitingApproval)).id);
    expect(rx.requests.map((q) => q.path).sort()).toEqual(['/finished', '/parked']);
    expect(await h.ds.getRepository(WebhookDeliveryEntity).count({ where: { remediationId: tooOld.id } })).toBe(0);
    expect(await h.get<WebhookSweeper>(WebhookSweeper).tick()).toBe(0);
  });

  it('lists a remediation\'s deliveries with their attempts for the API, without the URL path or secrets', async () => {
    const rx = await receiver((n) => (n === 1 ? 500 : 200));
    const r = await h.remediation({ callbackUrl: rx.url('/hook/capability-token-123') });
    await listener().onFinished(r);
    await settled((await deliveryOf(r.id)).id);

    const views = await h.get<WebhookDeliveryService>(WebhookDeliveryService).listForRemediation(r.id);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({
      eventType: 'remediation.finished',
      target: rx.url('').replace(/\/$/, ''),
      status: 'delivered',
      attemptCount: 2,
      nextAttemptAt: null,
      attempts: [expect.objectContaining({ attempt: 1, statusCode: 500 }), expect.objectContaining({ attempt: 2, statusCode: 200 })],
    });
    const json = JSON.stringify(views);
    expect(json).not.toContain('capability-token-123');
    expect(json).not.toContain(h.config.WEBHOOK_SECRET);
    expect(await h.get<WebhookDeliveryService>(WebhookDeliveryService).listForRemediation('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });
});

describe('webhook delivery on the default schedule, scaled', () => {
  let h: WebhookHarness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await WebhookHarness.start({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCALE: 0.001 });
    rx = await Receiver.start((n) => (n <= 3 ? 502 : 200));
  });
  afterAll(async () => {
    await rx?.close();
    await h?.close();
  });

  it('waits 5, 30 and 120 (scaled) between the first attempts', async () => {
    expect(h.config.WEBHOOK_RETRY_SCHEDULE_S.split(',').reduce((a, b) => a + Number(b), 0)).toBeGreaterThanOrEqual(86400);
    const r = await h.remediation({ callbackUrl: rx.url() });
    await h.get<WebhookListener>(WebhookListener).onFinished(r);
    const repo = h.get<WebhookDeliveryRepository>(WebhookDeliveryRepository);
    const d = await eventually(async () => {
      const rows = await h.ds.getRepository(WebhookDeliveryEntity).find({ where: { remediationId: r.id } });
      return rows[0]?.status === 'delivered' ? rows[0] : null;
    });
    expect((await repo.findById(d.id))?.attempts).toBe(4);
    const gaps = rx.requests.slice(1).map((q, i) => q.at - rx.requests[i].at);
    [5, 30, 120].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2));
  });
});
