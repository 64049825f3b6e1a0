import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import type { RemediationEntity } from '@rdpfix/persistence';

/**
 * Which secret signs the webhooks of a remediation. The default returns WEBHOOK_SECRET; a
 * per-API-key implementation can look up `remediation.actor.keyId`. Secrets are resolved at send
 * time only: never logged, never in job data, never returned by the API.
 */
export interface WebhookSecretResolver {
  secretFor(remediation: RemediationEntity): Promise<string>;
}
export const WEBHOOK_SECRET_RESOLVER = Symbol('WEBHOOK_SECRET_RESOLVER');

@Injectable()
export class ConfigWebhookSecretResolver implements WebhookSecretResolver {
  constructor(private readonly config: AppConfig) {}

  async secretFor(): Promise<string> {
    return this.config.WEBHOOK_SECRET;
  }
}
