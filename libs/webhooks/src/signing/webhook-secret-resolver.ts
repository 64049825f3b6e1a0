import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import type { RemediationEntity } from '@rdpfix/persistence';

/**
 * Which secret signs the webhooks of a remediation. The default returns WEBHOOK_SECRET; a
 * per-API-key implementation can look up `remediation.actor.keyId`. Secrets are resolved at send
 * time only: never logged, never in job data, never returned by the API.
 */
export interface WebhookSecretResolver {
  /** `owner`: the remediation, or for a campaign event just the actor of the campaign. */
  secretFor(owner: WebhookOwner): Promise<string>;
}

/** Whose webhook it is: only `actor.keyId` is read (a remediation, or a campaign's creator). */
export type WebhookOwner = Pick<RemediationEntity, 'actor'> | { actor: { keyId: string | null } | null };
export const WEBHOOK_SECRET_RESOLVER = Symbol('WEBHOOK_SECRET_RESOLVER');

@Injectable()
export class ConfigWebhookSecretResolver implements WebhookSecretResolver {
  constructor(private readonly config: AppConfig) {}

  async secretFor(): Promise<string> {
    return this.config.WEBHOOK_SECRET;
  }
}
