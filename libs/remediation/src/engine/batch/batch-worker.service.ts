import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { COMMAND_CHANNEL, CommandChannel } from '@rdpfix/channel';
import { CAMPAIGN_JOB_PRIORITY, redisOptionsFromUrl, RemediationDispatcher } from '@rdpfix/queue';
import { isTransientFailure } from '../lifecycle/transient-failure';
import { BatchCollector } from './batch-collector';
import { BatchPokes } from './batch-pokes';
import { BATCH_QUEUE, BatchJob, batchJobId } from './batch-queue';
import { BatchRecovery } from './batch-recovery';
import { BatchSender } from './batch-sender';
import { BatchStore } from './batch-store';
import { InstanceInfoBatcher } from './instance-info-batcher';
import { CompletionEstimates } from './completion-estimates';

/**
 * The batch worker: one BullMQ queue for the per-region dispatcher, the per-batch collectors and
 * the per-batch send recoveries. Like the remediation worker it never waits in a slot: a job that
 * must come back moves itself to the delayed set. Job ids make every poke idempotent.
 */
/** An idle dispatcher's looks are at most this far apart... */
const IDLE_RECHECK_MAX_MS = 2000;
/** ...for this long after its region's last request. */
const IDLE_RECHECK_FOR_MS = 10_000;

@Injectable()
export class BatchWorkerService implements BatchPokes, OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(BatchWorkerService.name);
  private queue?: Queue<BatchJob>;
  private worker?: Worker<BatchJob>;
  private redis?: Redis;
  readonly store: BatchStore;
  private readonly sender: BatchSender;
  private readonly recovery: BatchRecovery;
  private readonly collector: BatchCollector;
  private inlineAdvance?: (remediationIds: string[]) => Promise<void>;
  /** Regions whose dispatch job found nothing requested once and is looking a second time. */
  /** Regions whose dispatch job found nothing: since when, and its next look's delay. */
  private readonly idleRechecks = new Map<string, { since: number; nextMs: number }>();
  /** Per region: the dispatch poke that has not started yet, for requests to join. */
  private readonly unstartedPokes = new Map<string, Promise<void>>();

  constructor(
    private readonly config: AppConfig,
    ds: DataSource,
    @Inject(COMMAND_CHANNEL) channel: CommandChannel,
    private readonly dispatcher: RemediationDispatcher,
    private readonly info: InstanceInfoBatcher,
  ) {
    this.store = new BatchStore(ds);
    const estimates = new CompletionEstimates();
    this.sender = new BatchSender(config, this.store, channel, this, estimates);
    this.recovery = new BatchRecovery(config, this.store, channel, this);
    this.collector = new BatchCollector(config, this.store, channel, this, estimates);
  }

  onModuleInit(): void {
    // A restart watch sleeping until its instance's answer changes is moved on like a finished command.
    this.info.useWake((ids) => this.ended(ids));
    const connection = redisOptionsFromUrl(this.config.REDIS_URL, 'worker');
    // Pokes come from remediation jobs: they must fail fast, never hang, while Redis is down.
    const producer = redisOptionsFromUrl(this.config.REDIS_URL, 'producer');
    this.queue = new Queue<BatchJob>(BATCH_QUEUE, { connection: producer, prefix: this.config.QUEUE_PREFIX, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
    this.queue.on('error', (err) => this.log.error(`batch queue error: ${err.message}`));
    this.redis = new Redis(producer);
    this.redis.on('error', (err) => this.log.warn(`batch flags: ${err.message}`));
    this.worker = new Worker<BatchJob>(BATCH_QUEUE, (job, token) => this.process(job, token), {
      connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.BATCH_WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 1000,
    });
    this.worker.on('error', (err) => this.log.error(`batch worker error: ${err.message}`));
    // A poke between a dispatch job's last look at the flag and the job's removal set the flag,
    // but its add was a no-op (that job id was still active): nobody would look until the
    // requests' safety wake (BATCH_SAFETY_WAKE_MS). Once the job is gone, its add can no longer
    // be swallowed: a flag still set now means such a poke, so dispatch again.
    this.worker.on('completed', (job) => {
      if (job.data.kind === 'dispatch') void this.dispatchIfFlagged(job.data.region);
    });
  }

  private async dispatchIfFlagged(region: string): Promise<void> {
    try {
      if (await this.redis!.del(this.dirtyKey(region))) await this.pokeDispatch(region, 0);
    } catch (err) {
      this.log.warn(`dispatch re-poke for ${region} failed (the safety wake will poke): ${(err as Error).message}`);
    }
  }

  async process(job: Job<BatchJob>, token?: string): Promise<void> {
    let again: number | null;
    try {
      switch (job.data.kind) {
        case 'dispatch': {
          // Requests that arrive while this job runs set the flag (their add is a no-op): look again.
          await this.redis!.del(this.dirtyKey(job.data.region));
          again = (await this.sender.dispatch(job.data.region)).againInMs;
          if (again === null && (await this.redis!.del(this.dirtyKey(job.data.region)))) again = 0;
          again = this.afterIdleRecheck(job.data.region, again);
          break;
        }
        case 'recover':
          again = await this.recovery.recover(job.data.batchId);
          break;
        case 'collect':
          again = await this.collector.collect(job.data.batchId);
          break;
      }
    } catch (err) {
      if (!isTransientFailure(err)) this.log.error(`batch job ${job.id} failed: ${(err as Error).message}`);
      again = 1000;
    }
    if (again === null) return;
    await job.moveToDelayed(Date.now() + Math.max(0, again), token);
    throw new DelayedError();
  }

  /**
   * A round that found nothing requested looks again before its job ends: after one linger, then
   * each time twice as late, up to IDLE_RECHECK_MAX_MS apart, until the region has been idle for
   * IDLE_RECHECK_FOR_MS. In 4 of 12 runs of the 10,000 bench, requests committed just after a
   * round's last look waited for their 30 s safety wake although their pokes had been made (the
   * job that followed found the flag set); how the poke was lost is not known. One look a linger
   * later caught most; a restart requested while a campaign's stop cancelled its held targets
   * still waited 30 s in 3 of 8 runs of its test. These looks cost one query each, a few per idle
   * period, and bound such a wait to IDLE_RECHECK_MAX_MS.
   */
  private afterIdleRecheck(region: string, again: number | null): number | null {
    if (again !== null) {
      this.idleRechecks.delete(region);
      return again;
    }
    const now = Date.now();
    const idle = this.idleRechecks.get(region) ?? { since: now, nextMs: Math.max(50, this.config.BATCH_LINGER_MS) };
    if (now - idle.since >= IDLE_RECHECK_FOR_MS) {
      this.idleRechecks.delete(region);
      return null;
    }
    this.idleRechecks.set(region, { since: idle.since, nextMs: Math.min(IDLE_RECHECK_MAX_MS, idle.nextMs * 2) });
    return idle.nextMs;
  }

  private async add(job: BatchJob, delayMs: number): Promise<void> {
    try {
      await this.queue!.add(job.kind, job, { jobId: batchJobId(job), delay: Math.max(0, delayMs) });
    } catch (err) {
      // Redis down: the remediations' safety wake pokes again later.
      this.log.warn(`batch poke ${job.kind} failed: ${(err as Error).message}`);
    }
  }

  private dirtyKey(region: string): string {
    return `${this.config.QUEUE_PREFIX}:${BATCH_QUEUE}:dirty:${region}`;
  }

  /**
   * Requests made in the same turn of the event loop share one poke (a flag and an add: two
   * round trips each before). Only pokes not yet begun are joined, so every joiner's request was
   * committed before the poke starts and the dispatcher is sure to see it.
   */
  dispatch(region: string, delayMs = 0): Promise<void> {
    if (delayMs > 0) return this.pokeDispatch(region, delayMs);
    let poke = this.unstartedPokes.get(region);
    if (!poke) {
      poke = new Promise<void>((resolve) =>
        setImmediate(() => {
          this.unstartedPokes.delete(region);
          void this.pokeDispatch(region, 0).then(resolve);
        }),
      );
      this.unstartedPokes.set(region, poke);
    }
    return poke;
  }

  private async pokeDispatch(region: string, delayMs: number): Promise<void> {
    await this.redis?.set(this.dirtyKey(region), '1', 'PX', 60_000).catch(() => undefined);
    await this.add({ kind: 'dispatch', region }, delayMs);
    // This process's dispatch job sleeps between idle looks: its add above was a no-op, so the
    // request would wait for the next look (up to IDLE_RECHECK_MAX_MS). Promote it (one script;
    // BullMQ refuses a job that is not delayed, which is fine).
    if (delayMs === 0 && this.idleRechecks.has(region)) {
      const job = { kind: 'dispatch' as const, region };
      await new Job<BatchJob>(this.queue!, job.kind, job, {}, batchJobId(job)).promote().catch(() => undefined);
    }
  }

  collect(batchId: string, delayMs = 0): Promise<void> {
    return this.add({ kind: 'collect', batchId }, delayMs);
  }

  recover(batchId: string, delayMs = 0): Promise<void> {
    return this.add({ kind: 'recover', batchId }, delayMs);
  }

  /** Set by InlineAdvance when BATCH_INLINE_ADVANCE is on (the engine is built after this service). */
  useInlineAdvance(advance: (remediationIds: string[]) => Promise<void>): void {
    this.inlineAdvance = advance;
  }

  async ended(remediationIds: string[]): Promise<void> {
    if (this.inlineAdvance) return this.inlineAdvance(remediationIds);
    return this.wakeAll(remediationIds);
  }

  /** Wakes their jobs in parallel (a few Redis round trips each), not one after another. */
  async wakeAll(remediationIds: string[]): Promise<void> {
    for (let i = 0; i < remediationIds.length; i += 25) await Promise.all(remediationIds.slice(i, i + 25).map((id) => this.wake(id)));
  }

  /** Only campaign remediations take the batched path: a job re-added by the wake gets the campaign priority. */
  async wake(remediationId: string): Promise<void> {
    await this.dispatcher.wake(remediationId, 2000, CAMPAIGN_JOB_PRIORITY);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    this.redis?.disconnect();
  }
}
