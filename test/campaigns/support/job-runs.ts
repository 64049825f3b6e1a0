import { RemediationWorkerService } from '@rdpfix/remediation';
import type { Stack } from '../../support/stack';

/**
 * Counts every time a remediation's own job runs in the stack's worker (the BullMQ worker calls
 * process() once per job run). Returns the live map: remediation id → runs.
 */
export function countJobRuns(stack: Stack): Map<string, number> {
  const runs = new Map<string, number>();
  const worker = stack.workerApp!.get(RemediationWorkerService);
  const process = worker.process.bind(worker);
  worker.process = async (job, token) => {
    runs.set(job.data.remediationId, (runs.get(job.data.remediationId) ?? 0) + 1);
    return process(job, token);
  };
  return runs;
}
