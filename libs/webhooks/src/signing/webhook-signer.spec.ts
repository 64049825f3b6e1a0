import 'reflect-metadata';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '@rdpfix/config';
import { signWebhook, WebhookSecretError } from './webhook-signer';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('signWebhook', () => {
  const body = JSON.stringify({ type: 'remediation.finished', data: { id: 'r1' } });

  it('produces headers a Standard Webhooks receiver verifies', () => {
    const headers = signWebhook(SECRET, 'd0e4c1f2-0000-4000-8000-000000000001', body);
    expect(headers['webhook-id']).toBe('d0e4c1f2-0000-4000-8000-000000000001');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(SECRET).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('fails verification with another secret or a changed body', () => {
    const headers = { ...signWebhook(SECRET, 'msg', body) };
    expect(() => new Webhook('whsec_' + Buffer.from('another secret of 24+ bytes!!').toString('base64')).verify(body, headers)).toThrow();
    expect(() => new Webhook(SECRET).verify(body.replace('r1', 'r2'), headers)).toThrow();
  });

  it('signs the attempt time, so a late retry is still inside the replay window', () => {
    const old = signWebhook(SECRET, 'msg', body, new Date(Date.now() - 24 * 3600_000));
    expect(() => new Webhook(SECRET).verify(body, { ...old })).toThrow(/too old/);
  });

  it('signs with the development default secret from config', () => {
    const secret = new AppConfig().WEBHOOK_SECRET;
    expect(new Webhook(secret).verify(body, { ...signWebhook(secret, 'm', body) })).toBeTruthy();
  });

  it('reports a malformed secret without quoting it', () => {
    for (const bad of ['', 'whsec_', 'whsec_!!!not-base64!!!']) {
      let error: unknown;
      try {
        signWebhook(bad, 'm', body);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(WebhookSecretError);
      if (bad) expect((error as Error).message).not.toContain(bad);
    }
  });
});
