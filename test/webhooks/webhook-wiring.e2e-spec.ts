import { Module } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { RemediationFinisher, REMEDIATION_LISTENERS } from '@rdpfix/remediation';
import { WebhookDeliveryService, WebhookListener } from '@rdpfix/webhooks';
import { eventually, WebhookHarness } from './support/webhook-harness';
import { Receiver } from './support/receiver';

/** The registration the engine needs (what EngineModule gets from the lead). */
@Module({
  providers: [RemediationFinisher, { provide: REMEDIATION_LISTENERS, useFactory: (w: WebhookListener) => [w], inject: [WebhookListener] }],
})
class FinisherWiring {}

describe('WebhookListener registered with the real RemediationFinisher', () => {
  let h: WebhookHarness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await WebhookHarness.start({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCALE: 0.001 }, {}, [FinisherWiring]);
    rx = await Receiver.start();
  });
  afterAll(async () => {
    await rx?.close();
    await h?.close();
  });

  it('parking and finishing a remediation send awaiting_approval, then finished', async () => {
    const finisher = h.get<RemediationFinisher>(RemediationFinisher);
    const r = await h.remediation({ callbackUrl: rx.url(), state: 'running', step: 'reboot' });
    await finisher.notifyParked({ ...r, state: 'awaiting_approval' } as never);
    await finisher.finish(r, { kind: 'finish', outcome: 'refused', reason: 'domain_controller', detail: 'a domain controller' });

    const views = await eventually(async () => {
      const v = await h.get<WebhookDeliveryService>(WebhookDeliveryService).listForRemediation(r.id);
      return v.length === 2 && v.every((d) => d.status === 'delivered') ? v : null;
    });
    expect(views.map((v) => v.eventType).sort()).toEqual(['remediation.awaiting_approval', 'remediation.finished']);
    const finished = rx.requests.map((q) => ({ q, body: JSON.parse(q.body) })).find((x) => x.body.type === 'remediation.finished')!;
    expect(finished.body.data).toMatchObject({ id: r.id, state: 'finished', outcome: 'refused', reason: 'domain_controller', reasonDetail: 'a domain controller' });
    expect(() => new Webhook(h.config.WEBHOOK_SECRET).verify(finished.q.body, finished.q.headers as Record<string, string>)).not.toThrow();
  });
});
