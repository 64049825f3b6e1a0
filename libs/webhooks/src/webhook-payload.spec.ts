import type { RemediationEntity } from '@rdpfix/persistence';
import { buildWebhookPayload, serializeWebhookPayload, WEBHOOK_EVENTS } from './webhook-payload';

const remediation = {
  id: '6f1c1e64-3d0e-4a34-9d7c-2a8c3f1f0a11',
  instanceId: 'i-0123456789abcdef0',
  region: 'eu-west-1',
  state: 'finished',
  outcome: 'fixed',
  reason: null,
  reasonDetail: null,
  ticketRef: 'SUP-1',
  approvalExpiresAt: null,
  callbackUrl: 'https://hooks.example.com/secret-token',
  licenseServer: 'ls.corp',
  actor: { keyId: 'k1', role: 'support', source: 'api' },
} as unknown as RemediationEntity;

describe('webhook payload', () => {
  it('carries ids and facts only', () => {
    const p = buildWebhookPayload(WEBHOOK_EVENTS.finished, remediation, new Date('2025-01-01T00:00:00Z'));
    expect(p).toEqual({
      type: 'remediation.finished',
      timestamp: '2025-01-01T00:00:00.000Z',
      data: {
        id: remediation.id,
        instanceId: 'i-0123456789abcdef0',
        region: 'eu-west-1',
        state: 'finished',
        outcome: 'fixed',
        reason: null,
        reasonDetail: null,
        ticketRef: 'SUP-1',
        approvalExpiresAt: null,
        links: {
          self: `/v1/remediations/${remediation.id}`,
          events: `/v1/remediations/${remediation.id}/events`,
          approve: `/v1/remediations/${remediation.id}/approve`,
          cancel: `/v1/remediations/${remediation.id}/cancel`,
        },
      },
    });
    expect(JSON.stringify(p)).not.toMatch(/secret-token|k1|ls\.corp/);
  });

  it('serialises in the documented key order whatever order jsonb returns', () => {
    const p = buildWebhookPayload(WEBHOOK_EVENTS.finished, remediation);
    const shuffled = JSON.parse(JSON.stringify({ data: { ...p.data, links: { ...p.data.links } }, timestamp: p.timestamp, type: p.type }));
    expect(serializeWebhookPayload(shuffled)).toBe(serializeWebhookPayload(p));
    expect(Object.keys(JSON.parse(serializeWebhookPayload(shuffled)))).toEqual(['type', 'timestamp', 'data']);
  });
});
