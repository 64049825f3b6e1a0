import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import { AdvanceRemediationJob, QUEUES, redisOptionsFromUrl, RemediationDispatcher } from '@rdpfix/queue';
import { ENGINE_METRICS, EngineMetricsSink } from './engine-metrics';
import { RemediationEngine } from './remediation-engine';
import { endingOf, LifecycleStepData } from './lifecycle/remediation-ending';
import { isTransientFailure, transientBackoffMs } from './lifecycle/transient-failure';
import { MAX_STEPS_PER_RUN } from './step-limits';

/**
 * The BullMQ worker for remediation jobs. It is built here rather than with @Processor so that
 * concurrency, lock duration and stall interval come from the validated config at runtime.
 * A waiting step moves the job to the delayed set (moveToDelayed + DelayedError): the slot is
 * free again at once, so a few slots carry thousands of in-flight remediations.
 *
 * Transient failures (PostgreSQL, Redis, channel 5xx/throttling) are rescheduled here with
 * backoff and never reach BullMQ as failures, so they spend no attempt (issue 8, defect 5). Only a
 * real bug that repeats for every attempt ends a remediation (internal_error), and even then
 * through the lifecycle's ending, which first lets a change in flight end.
 */
@Injectable()
export class RemediationWorkerService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(RemediationWorkerService.name);
  private worker?: Worker<AdvanceRemediationJob>;
  /** Consecutive transient failures per remediation (this process only; it only shapes backoff). */
  private readonly transient = new Map<string, number>();
  /** Jobs running in this process now, with their lock tokens (graceful shutdown hands them back). */
  private readonly running = new Map<Job<AdvanceRemediationJob>, string | undefined>();

  constructor(
    private readonly config: AppConfig,
    private readonly ds: DataSource,
    private readonly engine: RemediationEngine,
    private readonly remediations: RemediationRepository,
    private readonly timeline: TimelineRepository,
    private readonly dispatcher: RemediationDispatcher,
    @Optional() @Inject(ENGINE_METRICS) private readonly metrics?: EngineMetricsSink,
  ) {}

  /** The BullMQ worker (readiness asks whether it consumes; graceful shutdown closes it first). */
  get bullWorker(): Worker<AdvanceRemediationJob> | undefined {
    return this.worker;
  }

  /** Jobs running in this process now, with their lock tokens. */
  inFlightJobs(): { job: Job<AdvanceRemediationJob>; token?: string }[] {
    return [...this.running].map(([job, token]) => ({ job, token }));
  }

  onModuleInit(): void {
    this.worker = new Worker<AdvanceRemediationJob>(QUEUES.remediations, (job, token) => this.process(job, token), {
      connection: redisOptionsFromUrl(this.config.REDIS_URL, 'worker'),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      // A job stalls when Redis or the process went away, not because of the remediation: the
      // reconciler re-enqueues a job that failed for stalling, so a high limit costs nothing.
      maxStalledCount: 1000,
    });
    // Never let a listener's promise reject: an unhandled rejection would end the process.
    this.worker.on('failed', (job, err) => {
      this.onFailed(job, err).catch((e: Error) => this.log.error(`after a failed job: ${e.message} (the reconciler will pick the remediation up)`));
    });
    this.worker.on('error', (err) => this.log.error(`worker error: ${err.message}`));
  }

  /** True while the worker's Redis connection is up and it is taking jobs (for readiness probes). */
  isRunning(): boolean {
    return !!this.worker?.isRunning();
  }

  /** Stops taking new jobs (the running ones finish); for maintenance windows and tests. */
  async pause(): Promise<void> {
    await this.worker?.pause(true);
  }

  resume(): void {
    this.worker?.resume();
  }

  async process(job: Job<AdvanceRemediationJob>, token?: string): Promise<void> {
    this.metrics?.inFlight(1);
    this.running.set(job, token);
    try {
      await this.advance(job, token);
    } finally {
      this.running.delete(job);
      this.metrics?.inFlight(-1);
    }
  }

  private async advance(job: Job<AdvanceRemediationJob>, token?: string): Promise<void> {
    const id = job.data.remediationId;
    try {
      const res = await this.engine.advanceUntilWait(id, MAX_STEPS_PER_RUN);
      this.transient.delete(id);
      if (res.kind === 'stop') return;
      return this.later(job, token, res.ms);
    } catch (err) {
      if (err instanceof DelayedError || (err as Error)?.name === 'DelayedError' || !isTransientFailure(err)) throw err;
      const n = (this.transient.get(id) ?? 0) + 1;
      this.transient.set(id, n);
      if (this.transient.size > 10_000) this.transient.clear(); // a bound, not a cache policy
      const ms = transientBackoffMs(n - 1);
      this.log.warn(`remediation ${id}: transient failure #${n} (${(err as Error).message}); again in ${ms} ms`);
      // If Redis itself is down this throws too: the job then stalls and is picked up again later.
      return this.later(job, token, ms);
    }
  }

  private async later(job: Job<AdvanceRemediationJob>, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.max(0, ms), token);
    throw new DelayedError();
  }

  /**
   * A non-transient error on every attempt: a bug, not an outage. End the remediation as
   * internal_error, but through the lifecycle's ending (a change in flight ends first), by storing
   * the intent and re-enqueueing; the engine carries it out without calling the failing step again.
   */
  private async onFailed(job: Job<AdvanceRemediationJob> | undefined, err: Error): Promise<void> {
    if (!job || err instanceof DelayedError || err.name === 'DelayedError') return;
    const id = job.data.remediationId;
    const attempts = job.opts.attempts ?? 1;
    this.log.error(`remediation ${id} job failed (${job.attemptsMade}/${attempts}): ${err.message}`);
    // Stalled, or a transient error that escaped (e.g. Redis lost while rescheduling): not the
    // remediation's fault. The reconciler re-enqueues it (a failed job is not a live one).
    if (job.attemptsMade < attempts || isTransientFailure(err) || /stalled/i.test(err.message)) return;
    for (let i = 0; i < 3; i++) {
      const r = await this.remediations.findById(id);
      if (!r || r.state !== 'running' || endingOf(r)) return;
      const detail = `rdpfix hit an internal error: ${err.message.slice(0, 500)}`;
      const ending = { outcome: 'failed' as const, reason: 'internal_error', detail, since: new Date().toISOString(), cancelled: [] };
      const saved = await this.ds.transaction(async (m) => {
        const row = await this.remediations.updateIfVersion(r.id, r.version, { stepData: { ...r.stepData, ending } as LifecycleStepData }, m);
        if (row) await this.timeline.append({ remediationId: id, type: 'ending', message: `ending (internal_error): ${detail}`, data: { abortReason: 'internal_error', outcome: 'failed' } }, m);
        return row;
      });
      if (!saved) continue;
      await this.dispatcher.removeStale(id);
      await this.dispatcher.dispatch(id);
      return;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
