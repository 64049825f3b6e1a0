import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import { AppConfig } from '@rdpfix/config';
import { RemediationRepository } from '@rdpfix/persistence';
import { AdvanceRemediationJob, QUEUES, redisOptionsFromUrl } from '@rdpfix/queue';
import { ENGINE_METRICS, EngineMetricsSink } from './engine-metrics';
import { RemediationEngine } from './remediation-engine';
import { RemediationFinisher } from './remediation-finisher';

/** Steps one job may take back to back before yielding its slot to other remediations. */
const MAX_STEPS_PER_RUN = 25;

/**
 * The BullMQ worker for remediation jobs. It is built here rather than with @Processor so that
 * concurrency, lock duration and stall interval come from the validated config at runtime.
 * A waiting step moves the job to the delayed set (moveToDelayed + DelayedError): the slot is
 * free again at once, so a few slots carry thousands of in-flight remediations.
 */
@Injectable()
export class RemediationWorkerService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(RemediationWorkerService.name);
  private worker?: Worker<AdvanceRemediationJob>;
  private readonly running = new Map<Job<AdvanceRemediationJob>, string | undefined>();

  constructor(
    private readonly config: AppConfig,
    private readonly engine: RemediationEngine,
    private readonly remediations: RemediationRepository,
    private readonly finisher: RemediationFinisher,
    @Optional() @Inject(ENGINE_METRICS) private readonly metrics?: EngineMetricsSink,
  ) {}

  /** The BullMQ worker (readiness asks whether it consumes; graceful shutdown closes it first). */
  get bullWorker(): Worker<AdvanceRemediationJob> | undefined {
    return this.worker;
  }

  onModuleInit(): void {
    this.worker = new Worker<AdvanceRemediationJob>(QUEUES.remediations, (job, token) => this.process(job, token), {
      connection: redisOptionsFromUrl(this.config.REDIS_URL, 'worker'),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 5,
    });
    this.worker.on('failed', (job, err) => void this.onFailed(job, err));
    this.worker.on('error', (err) => this.log.error(`worker error: ${err.message}`));
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

  /** Jobs running in this process now, with their lock tokens (graceful shutdown hands them back). */
  inFlightJobs(): { job: Job<AdvanceRemediationJob>; token?: string }[] {
    return [...this.running].map(([job, token]) => ({ job, token }));
  }

  private async advance(job: Job<AdvanceRemediationJob>, token?: string): Promise<void> {
    const id = job.data.remediationId;
    for (let i = 0; i < MAX_STEPS_PER_RUN; i++) {
      const res = await this.engine.advance(id);
      if (res.kind === 'stop') return;
      if (res.kind === 'wait') {
        await job.moveToDelayed(Date.now() + Math.max(0, res.ms), token);
        throw new DelayedError();
      }
    }
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError();
  }

  /** Out of retries on an unexpected error: end the remediation instead of leaving it active. */
  private async onFailed(job: Job<AdvanceRemediationJob> | undefined, err: Error): Promise<void> {
    if (!job || err instanceof DelayedError || err.name === 'DelayedError') return;
    const attempts = job.opts.attempts ?? 1;
    this.log.error(`remediation ${job.data.remediationId} job failed (${job.attemptsMade}/${attempts}): ${err.message}`);
    if (job.attemptsMade < attempts) return;
    const r = await this.remediations.findById(job.data.remediationId);
    if (!r || r.state === 'finished') return;
    await this.finisher.finish(r, { kind: 'finish', outcome: 'failed', reason: 'internal_error', detail: `rdpfix hit an internal error: ${err.message.slice(0, 500)}` });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
