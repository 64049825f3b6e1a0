import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { LIVE_JOBS_KEYS, LIVE_JOBS_LUA } from './live-jobs-script';
import { AdvanceRemediationJob, JOBS, QUEUES, remediationJobId } from './queue-names';

interface PendingAdd {
  remediationId: string;
  delayMs: number;
  priority?: number;
  resolve: (ok: boolean) => void;
}

/** At most this many jobs go to Redis in one round trip. */
const MAX_BATCH = 200;
/** Ids checked per liveness script call: one call holds Redis for about a millisecond. */
const LIVE_CHECK_CHUNK = 1000;

/** How long a retire waits for a running job to leave the active state before giving up (it then ends itself when it runs). */
const RETIRE_WAIT_MS = 5000;

/**
 * Puts remediations on the queue. Adds made in the same tick go to Redis together (addBulk: one
 * round trip for the batch), which keeps the API's per-submission cost low under load; each caller
 * still waits for its own job to be stored. Failure is logged, not thrown: the reconciler retries.
 */
@Injectable()
export class RemediationDispatcher {
  private readonly log = new Logger(RemediationDispatcher.name);
  private pending: PendingAdd[] = [];
  private flushScheduled = false;

  constructor(@InjectQueue(QUEUES.remediations) private readonly queue: Queue<AdvanceRemediationJob>) {}

  /**
   * `priority` (BullMQ: a prioritized job is taken only when no plain job waits): campaign work
   * passes CAMPAIGN_JOB_PRIORITY, so a single fix from a ticket or the console never queues
   * behind a big campaign's jobs (issue 10).
   */
  dispatch(remediationId: string, delayMs = 0, priority?: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ remediationId, delayMs, priority, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_BATCH);
    this.flushScheduled = false;
    if (this.pending.length) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
    try {
      await this.queue.addBulk(
        batch.map((b) => ({
          name: JOBS.advanceRemediation,
          data: { remediationId: b.remediationId },
          opts: { jobId: remediationJobId(b.remediationId), delay: b.delayMs, ...(b.priority ? { priority: b.priority } : {}) },
        })),
      );
      for (const b of batch) b.resolve(true);
    } catch (err) {
      this.log.warn(`enqueue of ${batch.length} remediation(s) failed, the reconciler will retry: ${(err as Error).message}`);
      for (const b of batch) b.resolve(false);
    }
  }

  /**
   * Makes the remediation's job run its next step now (an approve or a cancel must not wait for
   * a poll delay or the reconciler): a delayed job is promoted; no job (or a finished one) is
   * (re-)added; an active job is re-added as soon as it stops, polled for at most `activeWaitMs`
   * in the background. Best effort like dispatch(): false when Redis could not be told.
   */
  async wake(remediationId: string, activeWaitMs = 10_000, priority?: number): Promise<boolean> {
    try {
      // Most wakes find the job delayed: promoting it by id is one round trip (BullMQ's promote
      // script refuses, -3, a job that is not delayed); only then read the job and its state.
      if (await this.promoteById(remediationId)) return true;
      const job = await this.queue.getJob(remediationJobId(remediationId));
      const state = job ? await job.getState() : 'missing';
      if (state === 'delayed') {
        await job!.promote().catch(() => undefined); // already promoted by someone else: fine
        return true;
      }
      if (state === 'active') {
        void this.wakeWhenIdle(remediationId, Date.now() + activeWaitMs, priority);
        return true;
      }
      if (state === 'waiting' || state === 'prioritized' || state === 'waiting-children') return true;
      await this.removeStale(remediationId);
      // Re-added (its job was lost): with the caller's priority, so campaign work stays behind single fixes.
      return this.dispatch(remediationId, 0, priority);
    } catch (err) {
      this.log.warn(`wake of remediation ${remediationId} failed, the reconciler will pick it up: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * For a remediation advanced outside its job (engine/batch/inline-advance.ts): its job, asleep
   * in the delayed set, is set to come back after `ms`. A job that is not delayed (running,
   * or lost) is woken instead, which re-adds a lost one.
   */
  async reschedule(remediationId: string, ms: number, priority?: number): Promise<boolean> {
    try {
      await this.jobRef(remediationId).changeDelay(Math.max(0, ms));
      return true;
    } catch {
      return this.wake(remediationId, 2000, priority);
    }
  }

  /**
   * The remediation needs no job any more (finished or parked; an approval adds one again). A job
   * running now cannot be removed (its run holds the lock). For a `finished` remediation it is
   * removed once that run has put it back in the delayed set, within a bound; left there, it woke
   * once more a safety delay later (120 s in a test) only to find its remediation finished. A
   * parked one's is left to end itself: an approval may be waking it meanwhile.
   */
  async retire(remediationId: string, opts: { finished?: boolean } = {}): Promise<void> {
    const removed = await this.queue.remove(remediationJobId(remediationId)).catch(() => 0);
    if (!removed && opts.finished) void this.retireWhenIdle(remediationId, Date.now() + RETIRE_WAIT_MS);
  }

  private retireWhenIdle(remediationId: string, until: number): Promise<void> {
    return this.whenNotActive(remediationId, until, async (state) => {
      if (state === 'missing') return true; // gone (or Redis down: the job then ends itself when it runs)
      if (state === 'unknown') return false;
      return (await this.queue.remove(remediationJobId(remediationId)).catch(() => 0)) === 1;
    });
  }

  /**
   * Polls (every 50 ms, until `until`) for the remediation's job to leave the active state, then
   * hands its state ('missing' when there is no job, 'unknown' when it could not be read) to
   * `then`, which says whether it is done. A running job can be neither promoted nor removed.
   */
  private async whenNotActive(remediationId: string, until: number, then: (state: string) => Promise<boolean>): Promise<void> {
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      const job = await this.queue.getJob(remediationJobId(remediationId)).catch(() => undefined);
      const state = job ? await job.getState().catch(() => 'unknown') : 'missing';
      if (state !== 'active' && (await then(state))) return;
    }
  }

  /** A handle on the remediation's job by id, without reading it from Redis. */
  private jobRef(remediationId: string): Job<AdvanceRemediationJob> {
    return new Job<AdvanceRemediationJob>(this.queue, JOBS.advanceRemediation, { remediationId }, {}, remediationJobId(remediationId));
  }

  private async promoteById(remediationId: string): Promise<boolean> {
    try {
      await this.jobRef(remediationId).promote();
      return true;
    } catch {
      return false;
    }
  }

  private wakeWhenIdle(remediationId: string, until: number, priority?: number): Promise<void> {
    return this.whenNotActive(remediationId, until, async () => {
      await this.wake(remediationId, 0, priority);
      return true;
    });
  }

  /** Jobs waiting for a worker lane (campaign jobs carry a priority, so both lists count): how far behind the workers are. */
  waitingJobs(): Promise<number> {
    return this.queue.getJobCountByTypes('waiting', 'prioritized');
  }

  /** True when Redis holds a live job for the remediation. */
  async hasLiveJob(remediationId: string): Promise<boolean> {
    const job = await this.queue.getJob(remediationJobId(remediationId));
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /**
   * The remediations (of those given) that have a live job, by the same rule as hasLiveJob, in
   * one Redis call per 1,000 ids (the reconciler checks every quiet active remediation each pass).
   */
  async liveJobs(remediationIds: string[]): Promise<Set<string>> {
    const live = new Set<string>();
    // The default (ioredis) backend's raw client: BullMQ has no call for "these ids' states".
    const client = (await this.queue.backend.client) as unknown as { eval(script: string, numKeys: number, ...args: string[]): Promise<unknown> };
    const keys = LIVE_JOBS_KEYS.map((k) => this.queue.keys[k]);
    for (let i = 0; i < remediationIds.length; i += LIVE_CHECK_CHUNK) {
      const chunk = remediationIds.slice(i, i + LIVE_CHECK_CHUNK);
      const flags = (await client.eval(LIVE_JOBS_LUA, keys.length, ...keys, this.queue.toKey(''), ...chunk.map(remediationJobId))) as number[];
      chunk.forEach((id, j) => flags[j] === 1 && live.add(id));
    }
    return live;
  }

  /** Removes a finished/failed job that blocks its id, so the remediation can be enqueued again. */
  async removeStale(remediationId: string): Promise<void> {
    const job = await this.queue.getJob(remediationJobId(remediationId));
    if (!job) return;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') await job.remove();
  }
}
