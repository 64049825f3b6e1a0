import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AdvanceRemediationJob, JOBS, QUEUES, remediationJobId } from './queue-names';

interface PendingAdd {
  remediationId: string;
  delayMs: number;
  resolve: (ok: boolean) => void;
}

/** At most this many jobs go to Redis in one round trip. */
const MAX_BATCH = 200;

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

  dispatch(remediationId: string, delayMs = 0): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ remediationId, delayMs, resolve });
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
          opts: { jobId: remediationJobId(b.remediationId), delay: b.delayMs },
        })),
      );
      for (const b of batch) b.resolve(true);
    } catch (err) {
      this.log.warn(`enqueue of ${batch.length} remediation(s) failed, the reconciler will retry: ${(err as Error).message}`);
      for (const b of batch) b.resolve(false);
    }
  }

  /** True when Redis holds a live job for the remediation. */
  async hasLiveJob(remediationId: string): Promise<boolean> {
    const job = await this.queue.getJob(remediationJobId(remediationId));
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** Removes a finished/failed job that blocks its id, so the remediation can be enqueued again. */
  async removeStale(remediationId: string): Promise<void> {
    const job = await this.queue.getJob(remediationJobId(remediationId));
    if (!job) return;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') await job.remove();
  }
}
