import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import { CAMPAIGN_JOB_PRIORITY, PeriodicTask, RemediationDispatcher } from '@rdpfix/queue';
import { ENGINE_METRICS, EngineMetricsSink } from './engine-metrics';
import { RemediationFinisher } from './remediation-finisher';
import { ActivePages, ActiveRow } from './lifecycle/active-pages';

/** Any 64-bit key, shared by all workers: only one reconciles at a time. */
const RECONCILE_LOCK_KEY = 7_302_114_001;
/** Rows per page; a page's jobs are checked in one Redis call. */
const PAGE = 1000;

/** What one pass did, for logs, tests and the scale test's printout. */
export interface ReconcileStats {
  scanned: number;
  requeued: number;
  ms: number;
}

/**
 * Postgres is the truth; Redis only moves work. Every pass walks ALL active remediations by
 * keyset pagination on id (issue 8, defect 6: an `ORDER BY updated_at LIMIT 500` saw the same live
 * rows every time and starved the rest), re-enqueues each that has no live job, ends approvals
 * that expired, and forgets expired Idempotency-Keys.
 */
@Injectable()
export class ReconcilerService extends PeriodicTask {
  protected readonly log = new Logger(ReconcilerService.name);
  /** The last full pass (null before the first). */
  lastPass: ReconcileStats | null = null;

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
    const t0 = Date.now();
    for (const id of await this.remediations.expireApprovals()) {
      await this.timeline.append({ remediationId: id, type: 'finished', message: 'finished: failed (approval_expired)', data: { outcome: 'failed', reason: 'approval_expired' } });
      const r = await this.remediations.findById(id);
      if (r) await this.finisher.notifyFinishedExternally(r);
    }
    // Idempotency keys are promised for IDEMPOTENCY_TTL_S (≥ 24 h); after that they may go.
    await this.ds.query(`DELETE FROM idempotency_keys WHERE expires_at < now()`);
    let scanned = 0;
    let requeued = 0;
    // Rows touched in the last interval are probably in flight; every quieter one is looked at.
    for await (const page of new ActivePages(this.ds, this.config.RECONCILE_INTERVAL_MS, PAGE)) {
      scanned += page.length;
      const lost = await this.withoutLiveJob(page);
      if (!lost.length) continue;
      const added = await Promise.all(
        lost.map(async ({ id, source }) => {
          await this.dispatcher.removeStale(id);
          // A campaign job keeps its priority (issue 10): after a Redis loss it must not compete with single fixes.
          return (await this.dispatcher.dispatch(id, 0, source === 'campaign' ? CAMPAIGN_JOB_PRIORITY : undefined)) ? id : null;
        }),
      );
      const ids = added.filter((x): x is string => x !== null);
      requeued += ids.length;
      // One statement per page, and never onto a remediation that finished in the meantime.
      if (ids.length) {
        await this.ds.query(
          `INSERT INTO timeline_events (remediation_id, type, message)
             SELECT id, 'requeued', 'reconciler re-enqueued a remediation that had no job in Redis'
               FROM remediations WHERE id = ANY($1::uuid[]) AND state <> 'finished'`,
          [ids],
        );
      }
    }
    this.lastPass = { scanned, requeued, ms: Date.now() - t0 };
    if (requeued) this.log.log(`re-enqueued ${requeued} of ${scanned} active remediation(s) in ${this.lastPass.ms} ms`);
    if (requeued) this.metrics?.requeued(requeued);
    return requeued;
  }

  /** The rows of a page whose job is missing or dead: one Redis call for the page. */
  private async withoutLiveJob(rows: ActiveRow[]): Promise<ActiveRow[]> {
    const live = await this.dispatcher.liveJobs(rows.map((r) => r.id));
    return rows.filter((r) => !live.has(r.id));
  }
}
