import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppConfig } from '@rdpfix/config';
import { WorkerMetrics } from '@rdpfix/observability';
import { RemediationWorkerService } from '@rdpfix/remediation';
import { ShutdownState } from './shutdown-state';

/**
 * SIGTERM (or app.close()): stop taking remediation jobs, let the steps in flight finish within
 * SHUTDOWN_GRACE_MS, then hand back whatever is still running (moved back to the wait list, so
 * another worker resumes it from its persisted step at once instead of after a lock timeout)
 * and say so in the log. Runs before the modules' own shutdown hooks close the other queues.
 */
@Injectable()
export class WorkerGracefulShutdown implements BeforeApplicationShutdown {
  private readonly log = new Logger('WorkerShutdown');

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
    private readonly state: ShutdownState,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** The engine's queue worker (its module does not export it; looked up across modules). */
  private get worker(): RemediationWorkerService {
    return this.moduleRef.get(RemediationWorkerService, { strict: false });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.state.stopping = true;
    const w = this.worker.bullWorker;
    if (!w) return;
    const grace = this.config.SHUTDOWN_GRACE_MS;
    const inFlight = this.worker.inFlightJobs();
    this.log.log(`${signal ?? 'shutdown'}: taking no new jobs; ${inFlight.length} step(s) in flight, waiting up to ${grace} ms for them`);
    // close() stops fetching at once and resolves when the active jobs have finished.
    const closing = w.close();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([closing.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), grace)))]);
    clearTimeout(timer);
    if (finished) {
      this.log.log('every step in flight finished; nothing handed back');
      return;
    }
    const left = this.worker.inFlightJobs();
    const handed: string[] = [];
    for (const { job, token } of left) {
      try {
        await job.moveToWait(token);
        handed.push(job.data.remediationId);
      } catch (err) {
        // Lost the lock already (or Redis is away): the stalled-job check hands it over instead.
        this.log.warn(`could not hand back remediation ${job.data.remediationId} now (${(err as Error).message}); its lock will lapse and another worker resumes it`);
      }
    }
    this.metrics.handedBack.inc(left.length);
    this.log.warn(
      `grace period of ${grace} ms over: handed back ${handed.length} of ${left.length} remediation job(s) still running (${left.map((l) => l.job.data.remediationId).join(', ')}); another worker resumes each from its persisted step`,
    );
    await w.close(true).catch(() => undefined);
  }
}
