/** The batch worker's queue: dispatch (per region), recover and collect (per batch) jobs; ids only. */
export const BATCH_QUEUE = 'command-batches';

export type BatchJob = { kind: 'dispatch'; region: string } | { kind: 'recover'; batchId: string } | { kind: 'collect'; batchId: string };

/**
 * Job ids make a poke idempotent: one live dispatch job per region (a poke while it runs sets the
 * region's dirty flag, which the job reads before it ends), one job per batch.
 */
export function batchJobId(job: BatchJob): string {
  switch (job.kind) {
    case 'dispatch':
      return `dispatch-${job.region}`;
    case 'recover':
      return `recover-${job.batchId}`;
    case 'collect':
      return `collect-${job.batchId}`;
  }
}
