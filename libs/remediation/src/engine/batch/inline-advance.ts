import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { RemediationEntity } from '@rdpfix/persistence';
import { CAMPAIGN_JOB_PRIORITY, RemediationDispatcher } from '@rdpfix/queue';
import { RemediationEngine } from '../remediation-engine';
import { MAX_STEPS_PER_RUN } from '../step-limits';
import { BatchWorkerService } from './batch-worker.service';

/**
 * Remediations advanced at once by one collector: a whole batch (50). Their step writes made in
 * the same turn share one statement (statement-coalescer.ts), so more at once means fewer statements.
 */
const PARALLEL = 50;
/**
 * New campaign remediations are started by at most START_LANES lanes per process, one remediation
 * each at a time. Their first step mostly waits (no CPU) for the batched instance-information
 * call (50 ids, 4 under way per region: 200), and reads and writes asked for in one turn share a
 * statement (statement-coalescer.ts), so lanes cost memory, not round trips. 48 lanes (6 × 8 rows,
 * before) started about 70 a second on the bench: a 100 % campaign's ramp queued starts for up
 * to 15 s, and those were then left to their safety jobs, 30 s after creation.
 */
const START_LANES = 200;
/**
 * On shutdown, how long the starts under way may take to reach their next wait before the process
 * goes on closing (a step takes well under a second; at most a quarter of SHUTDOWN_GRACE_MS, which
 * the steps of jobs in flight also need).
 */
const SHUTDOWN_DRAIN_MS = 5_000;

/**
 * When a batch's commands end, the collector advances their remediations here, in its own slot,
 * instead of waking each one's job. A wake cost three Redis scripts (promote, take, delay again)
 * plus a row read per remediation; here the batch's rows and runs are read in one statement and
 * each job, still asleep in the delayed set, is only told when to come back (changeDelay), or
 * removed when its remediation is done. Safety is unchanged: every step is the engine's
 * compare-and-set, so this racing the remediation's own job (its safety wake, say) applies each
 * step once. Any error hands the remediation back to its job (a wake), whose retry and failure
 * handling then apply.
 */
@Injectable()
export class InlineAdvance implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger(InlineAdvance.name);

  constructor(
    private readonly config: AppConfig,
    private readonly engine: RemediationEngine,
    private readonly dispatcher: RemediationDispatcher,
    private readonly batchWorker: BatchWorkerService,
  ) {}

  onModuleInit(): void {
    if (this.config.BATCH_INLINE_ADVANCE) this.batchWorker.useInlineAdvance((ids) => this.advance(ids));
  }

  /** Off with BATCH_INLINE_ADVANCE=false: then every step runs in the remediation's own job. */
  get enabled(): boolean {
    return this.config.BATCH_INLINE_ADVANCE;
  }

  /**
   * Remediations waiting for a start lane, oldest first, with when they were queued; taken from
   * `startHead` on (a 100 % campaign may queue tens of thousands: no shifting the array per take).
   */
  private startQueue: { id: string; at: number }[] = [];
  private startHead = 0;
  private startLanes = 0;
  /** The start lanes under way (a tick does not wait for them; shutdown does). */
  private readonly lanes = new Set<Promise<void>>();
  private closing = false;

  private startsWaiting(): number {
    return this.startQueue.length - this.startHead;
  }

  /** The next queued start; the array is dropped or compacted once mostly taken. */
  private takeStart(): { id: string; at: number } {
    const taken = this.startQueue[this.startHead];
    this.startHead += 1;
    if (this.startHead === this.startQueue.length) {
      this.startQueue = [];
      this.startHead = 0;
    } else if (this.startHead > 4096 && this.startHead * 2 > this.startQueue.length) {
      this.startQueue = this.startQueue.slice(this.startHead);
      this.startHead = 0;
    }
    return taken;
  }

  /**
   * The first steps of remediations a campaign tick just created, whose jobs were queued as
   * safety nets only (due after BATCH_SAFETY_WAKE_MS). Saves each a job take-and-return (two
   * Redis scripts). At most START_LANES (200) run in this process at once,
   * whatever the ticks claimed (a campaign at 100 % may claim tens of thousands): the rest wait
   * here, and one that waited half its safety delay is left to its job, which is about to run.
   */
  start(ids: string[]): Promise<void> {
    if (this.closing) return Promise.resolve(); // shutting down: their safety jobs start them
    const at = Date.now();
    for (const id of ids) this.startQueue.push({ id, at });
    const lanes: Promise<void>[] = [];
    while (this.startLanes < START_LANES && this.startsWaiting() > 0) {
      this.startLanes++;
      const lane: Promise<void> = this.startLane().finally(() => {
        this.startLanes--;
        this.lanes.delete(lane);
      });
      this.lanes.add(lane);
      lanes.push(lane);
    }
    return Promise.all(lanes).then(() => undefined);
  }

  /**
   * Before the connections close: no new start, the queued ones are left to their safety jobs,
   * and those under way reach their next wait (a bounded drain), so none is cut off mid-step by
   * a closing pool (its compare-and-set and safety job kept that safe, but not clean).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const dropped = this.startsWaiting();
    this.startQueue = [];
    this.startHead = 0;
    if (dropped) this.log.log(`shutdown: ${dropped} queued start(s) left to their safety jobs`);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (timer = setTimeout(r, Math.min(SHUTDOWN_DRAIN_MS, this.config.SHUTDOWN_GRACE_MS / 4))));
    await Promise.race([Promise.allSettled([...this.lanes]), bound]);
    clearTimeout(timer);
  }

  /** Takes queued remediations one at a time (its row is read with the other lanes' in one statement). */
  private async startLane(): Promise<void> {
    while (!this.closing && this.startsWaiting() > 0) {
      const q = this.takeStart();
      if (q.at <= Date.now() - this.config.BATCH_SAFETY_WAKE_MS / 2) continue;
      let row: RemediationEntity | undefined;
      try {
        row = await this.engine.readShared(q.id);
      } catch {
        row = undefined; // advancing reads it again (alone); an error there hands it to its job
      }
      await this.one(q.id, row);
    }
  }

  async advance(ids: string[]): Promise<void> {
    let rows: Map<string, RemediationEntity>;
    try {
      rows = await this.engine.readMany(ids);
    } catch (err) {
      this.log.warn(`reading ${ids.length} remediations failed (${(err as Error).message}); waking their jobs instead`);
      await this.batchWorker.wakeAll(ids);
      return;
    }
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        await this.one(id, rows.get(id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, lane));
  }

  private async one(id: string, row: RemediationEntity | undefined): Promise<void> {
    try {
      const res = await this.engine.advanceUntilWait(id, MAX_STEPS_PER_RUN, row);
      if (res.kind === 'stop') await this.dispatcher.retire(id, { finished: res.finished === true });
      else await this.dispatcher.reschedule(id, res.ms, CAMPAIGN_JOB_PRIORITY);
    } catch (err) {
      this.log.warn(`remediation ${id}: advancing after its batch failed (${(err as Error).message}); its job takes over`);
      await this.batchWorker.wake(id);
    }
  }
}
