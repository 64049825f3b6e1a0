import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import { PeriodicTask, RemediationDispatcher } from '@rdpfix/queue';
import { ENGINE_METRICS, EngineMetricsSink } from './engine-metrics';
import { RemediationFinisher } from './remediation-finisher';

/** Any 64-bit key, shared by all workers: only one reconciles at a time. */
const RECONCILE_LOCK_KEY = 7_302_114_001;

/**
 * Postgres is the truth; Redis only moves work. Every pass re-enqueues each active remediation
 * that has no live job, ends approvals that expired, and forgets expired Idempotency-Keys.
 */
@Injectable()
export class ReconcilerService extends PeriodicTask {
  protected readonly log = new Logger(ReconcilerService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly ds: DataSource,
    private readonly remediations: RemediationRepository,
    private readonly timeline: TimelineRepository,
    private readonly dispatcher: RemediationDispatcher,
    private readonly finisher: RemediationFinisher,
    @Optional() @Inject(ENGINE_METRICS) private readonly metrics?: EngineMetricsSink,
  ) {
    super();
  }

  protected intervalMs(): number {
    return this.config.RECONCILE_INTERVAL_MS;
  }

  /** One pass under a Postgres advisory lock; returns how many remediations were re-enqueued. */
  protected async pass(): Promise<number> {
    const runner = this.ds.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RECONCILE_LOCK_KEY]);
      if (!locked) return 0;
      try {
        return await this.reconcile();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RECONCILE_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async reconcile(): Promise<number> {
    for (const id of await this.remediations.expireApprovals()) {
      await this.timeline.append({ remediationId: id, type: 'finished', message: 'finished: failed (approval_expired)', data: { outcome: 'failed', reason: 'approval_expired' } });
      const r = await this.remediations.findById(id);
      if (r) await this.finisher.notifyFinishedExternally(r);
    }
    // Idempotency keys are promised for IDEMPOTENCY_TTL_S (≥ 24 h); after that they may go.
    await this.ds.query(`DELETE FROM idempotency_keys WHERE expires_at < now()`);
    // Rows touched in the last interval are probably in flight; look only at quieter ones.
    const candidates = await this.remediations.listDispatchable(this.config.RECONCILE_INTERVAL_MS, 500);
    let requeued = 0;
    for (const c of candidates) {
      if (await this.dispatcher.hasLiveJob(c.id)) continue;
      await this.dispatcher.removeStale(c.id);
      if (await this.dispatcher.dispatch(c.id)) {
        requeued++;
        await this.timeline.append({ remediationId: c.id, type: 'requeued', message: 'reconciler re-enqueued a remediation that had no job in Redis' });
      }
    }
    if (requeued) this.log.log(`re-enqueued ${requeued} remediation(s)`);
    if (requeued) this.metrics?.requeued(requeued);
    return requeued;
  }
}
