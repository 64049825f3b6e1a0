import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ApiMetrics } from '@rdpfix/observability';
import { QUEUES } from '@rdpfix/queue';

/** The API's metrics, with gauges that read PostgreSQL and Redis when Prometheus scrapes. */
export const apiMetricsProvider = {
  provide: ApiMetrics,
  inject: [DataSource, getQueueToken(QUEUES.remediations)],
  useFactory: (ds: DataSource, queue: Queue) =>
    new ApiMetrics(
      async () => {
        const rows: { state: string; n: string }[] = await ds.query(`SELECT state, count(*) AS n FROM remediations WHERE state <> 'finished' GROUP BY state`);
        return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      },
      async () => (await queue.getJobCounts('waiting', 'active', 'delayed', 'failed')) as Record<string, number>,
    ),
};
