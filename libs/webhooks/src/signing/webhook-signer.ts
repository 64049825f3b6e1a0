import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The secret is missing or not `whsec_<base64>`; the message never contains the secret. */
export class WebhookSecretError extends Error {
  constructor() {
    super('the webhook signing secret is missing or malformed');
    this.name = 'WebhookSecretError';
  }
}

/**
 * Standard Webhooks headers for one attempt. `msgId` is the delivery id, the same on every retry
 * so receivers can de-duplicate; the timestamp is the attempt's, so a retry a day later still
 * passes the receiver's replay window.
 */
export function signWebhook(secret: string, msgId: string, body: string, at: Date = new Date()): SignedHeaders {
  let wh: Webhook;
  try {
    wh = new Webhook(secret);
  } catch {
    throw new WebhookSecretError();
  }
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': wh.sign(msgId, at, body),
  };
}
