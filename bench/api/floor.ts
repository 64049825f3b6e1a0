import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { QUEUES, JOBS, redisOptionsFromUrl, remediationJobId } from '@rdpfix/queue';
import { RemediationRepository } from '@rdpfix/persistence';

/**
 * The raw floor: what one submission costs without HTTP, auth, validation or Nest — insert the
 * same remediation row and `created` event (the same SQL as the API), then add the same BullMQ job —
 * in `concurrency` parallel loops for `durationMs`.
 */
export async function measureFloor(ds: DataSource, redisUrl: string, prefix: string, concurrency: number, durationMs: number, nextInstanceId: () => string) {
  const queue = new Queue(QUEUES.remediations, { connection: redisOptionsFromUrl(redisUrl, 'producer'), prefix });
  const repo = new RemediationRepository(ds);
  const until = Date.now() + durationMs;
  let ops = 0;
  const latencies: number[] = [];
  const loop = async () => {
    while (Date.now() < until) {
      const t0 = process.hrtime.bigint();
      // The same statement the API uses: the row and its `created` event, one round trip.
      const row = await repo.insert(
        {
          instanceId: nextInstanceId(),
          region: 'eu-west-1',
          mode: 'diagnose',
          strategy: 'remove-role',
          allowReboot: false,
          source: 'api',
          state: 'queued',
          step: 'precheck',
          deadlineAt: new Date(Date.now() + 3600_000),
        },
        undefined,
        { message: 'diagnose requested by api', actor: null },
      );
      await queue.add(JOBS.advanceRemediation, { remediationId: row.id }, { jobId: remediationJobId(row.id), removeOnComplete: true });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      ops++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const secs = (Date.now() - started) / 1000;
  await queue.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { opsPerSec: ops / secs, p50: pct(50), p99: pct(99), ops };
}
