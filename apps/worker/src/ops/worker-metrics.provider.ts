import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CAMPAIGN_QUEUE } from '@rdpfix/campaigns';
import { CHANNEL_METRICS, ChannelBudget, ChannelMetricsSink } from '@rdpfix/channel';
import { AppConfig, configuredRegions, parseChannelMap, parseEndpointMap } from '@rdpfix/config';
import { COMMAND_STATUSES, OUTCOMES } from '@rdpfix/domain';
import { WorkerMetrics } from '@rdpfix/observability';
import { QUEUES, redisOptionsFromUrl } from '@rdpfix/queue';
import { ENGINE_METRICS, EngineMetricsSink } from '@rdpfix/remediation';
import { SCRIPT_NAMES } from '@rdpfix/runbook';
import { WEBHOOK_QUEUE } from '@rdpfix/webhooks';

/** Queues other than remediations are read through one extra, shared Redis connection. */
export const METRICS_REDIS = Symbol('METRICS_REDIS');
export const METRICS_QUEUES = Symbol('METRICS_QUEUES');

/** Closes the metrics' own queue handles and Redis connection with the app. */
@Injectable()
export class WorkerMetricsResources implements OnApplicationShutdown {
  constructor(
    @Inject(METRICS_QUEUES) private readonly queues: Queue[],
    @Inject(METRICS_REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}

/** The regions whose channel series exist from the start: REGIONS, else every region the config names. */
function regionLabels(c: AppConfig): { channel: string; region: string }[] {
  const byRegion = c.CHANNEL_BY_REGION ? parseChannelMap(c.CHANNEL_BY_REGION) : {};
  const named = new Set([
    ...configuredRegions(c),
    ...Object.keys(byRegion),
    ...Object.keys(c.CHANNEL_ENDPOINTS ? parseEndpointMap(c.CHANNEL_ENDPOINTS) : {}),
  ]);
  return [...named].map((region) => ({ channel: byRegion[region] ?? c.CHANNEL, region }));
}

export const workerMetricsProviders: Provider[] = [
  {
    provide: METRICS_REDIS,
    inject: [AppConfig],
    useFactory: (c: AppConfig) => new Redis({ ...redisOptionsFromUrl(c.REDIS_URL, 'worker'), lazyConnect: true }),
  },
  {
    provide: METRICS_QUEUES,
    inject: [AppConfig, METRICS_REDIS],
    useFactory: (c: AppConfig, redis: Redis) => [WEBHOOK_QUEUE, CAMPAIGN_QUEUE].map((name) => new Queue(name, { connection: redis, prefix: c.QUEUE_PREFIX })),
  },
  {
    provide: WorkerMetrics,
    inject: [AppConfig, DataSource, getQueueToken(QUEUES.remediations), METRICS_QUEUES, METRICS_REDIS],
    useFactory: (c: AppConfig, ds: DataSource, remediations: Queue, others: Queue[], redis: Redis) => {
      const regions = regionLabels(c);
      // Read-only here (effectiveRates), on the metrics' own connection, bounded like the budget's asks.
      const budget = new ChannelBudget(redis, c.QUEUE_PREFIX, c.CHANNEL_CALLS_PER_SECOND, c.CHANNEL_BUDGET_WAIT_MS);
      return new WorkerMetrics(
        { outcomes: OUTCOMES, scripts: SCRIPT_NAMES, commandStatuses: COMMAND_STATUSES, regions },
        {
          activeByState: async () => {
            const rows: { state: string; n: string }[] = await ds.query(`SELECT state, count(*) AS n FROM remediations WHERE state <> 'finished' GROUP BY state`);
            return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
          },
          overdue: async () => {
            const [row] = await ds.query(`SELECT count(*) AS n FROM remediations WHERE state <> 'finished' AND deadline_at < now()`);
            return Number(row.n);
          },
          queueJobs: async () => {
            const out: Record<string, Record<string, number>> = {};
            for (const q of [remediations, ...others]) out[q.name] = (await q.getJobCounts('waiting', 'active', 'delayed', 'failed')) as Record<string, number>;
            return out;
          },
          channelBudget: async () => {
            if (redis.status === 'wait') await redis.connect().catch(() => undefined); // lazyConnect: the first scrape connects
            const rates = await budget.effectiveRates(regions);
            return regions.map((r, i) => ({ ...r, limit: budget.maxRate, effective: rates[i] }));
          },
        },
      );
    },
  },
  {
    provide: CHANNEL_METRICS,
    inject: [WorkerMetrics],
    useFactory: (m: WorkerMetrics): ChannelMetricsSink => ({
      call: (channel, region, operation) => m.channelCalls.inc({ channel, region, operation }),
      throttled: (channel, region) => m.channelThrottles.inc({ channel, region }),
      failed: (channel, region) => m.channelErrors.inc({ channel, region }),
    }),
  },
  {
    provide: ENGINE_METRICS,
    inject: [WorkerMetrics],
    useFactory: (m: WorkerMetrics): EngineMetricsSink => ({
      commandFinished: (script, status) => m.command(script, status),
      requeued: (n) => m.reconcilerRequeued.inc(n),
      inFlight: (delta) => m.jobsInFlight.inc(delta),
    }),
  },
  WorkerMetricsResources,
];
