import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { ApiKeyEntity, RemediationEntity } from '@rdpfix/persistence';
import { WebhookSecretResolver } from '@rdpfix/webhooks';

/**
 * Webhooks of a remediation are signed with the secret of the API key that created it (given
 * to its owner once, at key creation); remediations without a key use WEBHOOK_SECRET.
 */
@Injectable()
export class ApiKeyWebhookSecretResolver implements WebhookSecretResolver {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
  ) {}

  async secretFor(r: RemediationEntity): Promise<string> {
    const keyId = r.actor?.keyId;
    if (keyId) {
      const key = await this.ds.getRepository(ApiKeyEntity).findOne({ where: { id: keyId }, select: { id: true, webhookSecret: true } });
      if (key?.webhookSecret) return key.webhookSecret;
    }
    return this.config.WEBHOOK_SECRET;
  }
}
