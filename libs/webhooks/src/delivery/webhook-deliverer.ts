import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { WorkerMetrics } from '@rdpfix/observability';
import { AppConfig } from '@rdpfix/config';
import { RemediationRepository } from '@rdpfix/persistence';
import { WebhookDeliveryEntity, WebhookDeliveryRepository } from '../persistence';
import { assertDeliverable, guardedLookup, HostResolver, UndeliverableUrlError } from '../policy/assert-deliverable';
import type { CallbackUrlPolicy } from '../policy/callback-url-policy';
import { WEBHOOK_SECRET_RESOLVER, WebhookSecretResolver } from '../signing/webhook-secret-resolver';
import { signWebhook, WebhookSecretError } from '../signing/webhook-signer';
import { CALLBACK_URL_POLICY, WEBHOOK_HOST_RESOLVER } from '../tokens';
import { isCampaignWebhookPayload, serializeCampaignWebhookPayload } from '../campaign-webhook-payload';
import { serializeWebhookPayload } from '../webhook-payload';
import { AttemptVerdict, classifyStatus, RetrySchedule } from './retry-schedule';
import { postWebhook, PostResult } from './webhook-http';

/** What the job does next: nothing (delivered, failed, gone) or run again at `at`. */
export type DeliveryStep = { kind: 'done' } | { kind: 'retry'; at: Date };

/** A job may run a little before next_attempt_at (clock skew between Redis and the DB). */
const EARLY_TOLERANCE_MS = 250;

type AttemptResult = Omit<PostResult, 'blocked'> & { verdict: AttemptVerdict };

/**
 * One delivery attempt, Postgres-first: claim the attempt number (CAS), check the URL against the
 * policy and DNS, sign, POST, then record the attempt and the delivery's next state together.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly log = new Logger(WebhookDeliverer.name);
  readonly schedule: RetrySchedule;

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly remediations: RemediationRepository,
    @Inject(WEBHOOK_SECRET_RESOLVER) private readonly secrets: WebhookSecretResolver,
    @Inject(CALLBACK_URL_POLICY) private readonly policy: CallbackUrlPolicy,
    @Inject(WEBHOOK_HOST_RESOLVER) private readonly resolver: HostResolver,
    @Optional() private readonly metrics?: WorkerMetrics,
  ) {
    this.schedule = RetrySchedule.fromConfig(config);
  }

  async deliver(deliveryId: string): Promise<DeliveryStep> {
    const d = await this.deliveries.findById(deliveryId);
    if (!d || d.status !== 'pending') return { kind: 'done' };
    const now = Date.now();
    if (d.nextAttemptAt && d.nextAttemptAt.getTime() > now + EARLY_TOLERANCE_MS) return { kind: 'retry', at: d.nextAttemptAt };
    if (!(await this.deliveries.claimAttempt(d.id, d.attempts))) {
      // Another run of this job owns the attempt; look again once it must have finished.
      return { kind: 'retry', at: new Date(now + this.config.WEBHOOK_TIMEOUT_MS + 1000) };
    }
    const attempt = d.attempts + 1;
    const at = new Date();
    const result = await this.attempt(d);
    return this.settle(d, attempt, at, result);
  }

  private async attempt(d: WebhookDeliveryEntity): Promise<AttemptResult> {
    const started = Date.now();
    const stop = (error: string, verdict: AttemptVerdict): AttemptResult => ({ statusCode: null, error, durationMs: Date.now() - started, verdict });
    let target: URL;
    try {
      target = (await assertDeliverable(d.url, this.policy, this.resolver)).url;
    } catch (err) {
      if (!(err instanceof UndeliverableUrlError)) throw err;
      return stop(err.reason, err.permanent ? 'permanent' : 'retry');
    }
    // Campaign events are signed with their creator key's secret; remediation events as before.
    const owner = d.campaignId ? { actor: { keyId: d.signerKeyId } } : d.remediationId ? await this.remediations.findById(d.remediationId) : null;
    if (!owner) return stop('the remediation no longer exists', 'permanent');
    const body = isCampaignWebhookPayload(d.payload) ? serializeCampaignWebhookPayload(d.payload) : serializeWebhookPayload(d.payload);
    let headers: Record<string, string>;
    try {
      headers = { ...signWebhook(await this.secrets.secretFor(owner), d.id, body) };
    } catch (err) {
      // Never echo the resolver's error: it could quote the secret.
      if (!(err instanceof WebhookSecretError)) this.log.warn(`signing secret lookup failed for delivery ${d.id}: ${(err as Error).name}`);
      return stop(err instanceof WebhookSecretError ? err.message : 'the webhook signing secret could not be resolved', 'retry');
    }
    const res = await postWebhook({ url: target, body, headers, timeoutMs: this.config.WEBHOOK_TIMEOUT_MS, lookup: guardedLookup(this.policy, this.resolver) });
    const verdict: AttemptVerdict = res.blocked ? 'permanent' : res.statusCode !== null ? classifyStatus(res.statusCode) : 'retry';
    return { statusCode: res.statusCode, error: res.error, durationMs: res.durationMs, verdict };
  }

  private async settle(d: WebhookDeliveryEntity, attempt: number, at: Date, res: AttemptResult): Promise<DeliveryStep> {
    const record = { attempt, at, statusCode: res.statusCode, error: res.error, durationMs: Math.max(0, Math.round(res.durationMs)) };
    const last = { lastStatusCode: res.statusCode, lastError: res.error };
    if (res.verdict === 'delivered') {
      await this.deliveries.recordAttempt(d.id, record, { ...last, status: 'delivered', deliveredAt: new Date(), nextAttemptAt: null });
      this.metrics?.webhook('delivered');
      return { kind: 'done' };
    }
    const delay = res.verdict === 'retry' ? this.schedule.delayAfter(attempt) : null;
    if (delay === null) {
      const why = res.verdict === 'permanent' ? `${res.error} (permanent, not retried)` : `${res.error} (gave up after ${attempt} attempts)`;
      await this.deliveries.recordAttempt(d.id, record, { ...last, lastError: why, status: 'failed', nextAttemptAt: null });
      this.log.warn(`webhook delivery ${d.id} (${d.eventType}) failed: ${why}`);
      this.metrics?.webhook('failed');
      return { kind: 'done' };
    }
    const next = new Date(Date.now() + delay);
    await this.deliveries.recordAttempt(d.id, record, { ...last, nextAttemptAt: next });
    this.metrics?.webhook('retry');
    return { kind: 'retry', at: next };
  }
}
