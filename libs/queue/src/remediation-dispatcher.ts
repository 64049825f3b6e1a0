import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AdvanceRemediationJob, JOBS, QUEUES, remediationJobId } from './queue-names';

/** Puts a remediation on the queue. Failure is logged, not thrown: the reconciler retries. */
@Injectable()
export class RemediationDispatcher {
  private readonly log = new Logger(RemediationDispatcher.name);

  constructor(@InjectQueue(QUEUES.remediations) private readonly queue: Queue<AdvanceRemediationJob>) {}

  async dispatch(remediationId: string, delayMs = 0): Promise<boolean> {
    try {
      await this.queue.add(JOBS.advanceRemediation, { remediationId }, { jobId: remediationJobId(remediationId), delay: delayMs });
      return true;
    } catch (err) {
      this.log.warn(`enqueue of ${remediationId} failed, the reconciler will retry: ${(err as Error).message}`);
      return false;
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
