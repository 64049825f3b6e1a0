/** The batch worker's queue: dispatch (per region), recover and collect (per batch) jobs; ids only. */
export const BATCH_QUEUE = 'command-batches';

export type BatchJob = { kind: 'dispatch'; region: string } | { kind: 'recover'; batchId: string } | { kind: 'collect'; batchId: string };

/**
 * Job ids make a poke idempotent: one live dispatch job per region and time slot (a new one may
 * be added while the previous is running, so no request is left behind), one job per batch.
 */
export function batchJobId(job: BatchJob, slotMs = 100): string {
  switch (job.kind) {
    case 'dispatch':
      return `dispatch-${job.region}-${Math.floor(Date.now() / slotMs)}`;
    case 'recover':
      return `recover-${job.batchId}`;
    case 'collect':
      return `collect-${job.batchId}`;
  }
}
