import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Label values known at boot, so every series exists (at 0) before its first event. */
export interface WorkerMetricLabels {
  outcomes: readonly string[];
  scripts: readonly string[];
  commandStatuses: readonly string[];
  /** channel name -> regions it serves (REGIONS, or the regions named in the config). */
  regions: readonly { channel: string; region: string }[];
}

/** Read at scrape time (PostgreSQL and Redis), not counted in-process. */
export interface WorkerGaugeSources {
  activeByState: () => Promise<Record<string, number>>;
  /** Active remediations past their deadline (should be 0: the engine ends them). */
  overdue: () => Promise<number>;
  queueJobs: () => Promise<Record<string, Record<string, number>>>;
  /** The shared channel call budget per channel and region (Redis); throws when Redis cannot answer. */
  channelBudget?: () => Promise<ChannelBudgetReading[]>;
}

export interface ChannelBudgetReading {
  channel: string;
  region: string;
  /** CHANNEL_CALLS_PER_SECOND. */
  limit: number;
  /** Calls per second granted now (lower after provider throttling). */
  effective: number;
}

export const WEBHOOK_RESULTS = ['delivered', 'retry', 'failed'] as const;
export type WebhookResult = (typeof WEBHOOK_RESULTS)[number];

/**
 * Prometheus metrics of one worker process (served on WORKER_HTTP_PORT /metrics). Counters count
 * what this process did; gauges read PostgreSQL and Redis when scraped. A registry per app, not
 * prom-client's global one, so several apps can share a process (tests, the demo).
 */
export class WorkerMetrics {
  readonly registry = new Registry();

  readonly outcomes = new Counter({
    name: 'rdpfix_remediation_outcomes_total',
    help: 'Remediations finished by this worker, by outcome and reason (reason "none" when there is none)',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'rdpfix_commands_total',
    help: 'Commands that reached a final status, by script and status',
    labelNames: ['script', 'status'] as const,
    registers: [this.registry],
  });
  readonly channelCalls = new Counter({
    name: 'rdpfix_channel_calls_total',
    help: 'Command-channel API calls, by channel, region and operation',
    labelNames: ['channel', 'region', 'operation'] as const,
    registers: [this.registry],
  });
  readonly channelThrottles = new Counter({
    name: 'rdpfix_channel_throttles_total',
    help: 'Command-channel calls throttled (by the provider or the shared budget), by channel and region',
    labelNames: ['channel', 'region'] as const,
    registers: [this.registry],
  });
  readonly channelErrors = new Counter({
    name: 'rdpfix_channel_errors_total',
    help: 'Command-channel calls that failed otherwise (network, timeouts, 5xx, refusals), by channel and region',
    labelNames: ['channel', 'region'] as const,
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'rdpfix_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, retry (will be tried again), failed (given up)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly reconcilerRequeued = new Counter({
    name: 'rdpfix_reconciler_requeued_total',
    help: 'Active remediations the reconciler re-enqueued because they had no job in Redis',
    registers: [this.registry],
  });
  readonly jobsInFlight = new Gauge({
    name: 'rdpfix_worker_jobs_in_flight',
    help: 'Remediation jobs this worker is processing right now',
    registers: [this.registry],
  });
  readonly handedBack = new Counter({
    name: 'rdpfix_worker_shutdown_handed_back_total',
    help: 'Jobs still running when a shutdown grace period ended (another worker takes them over)',
    registers: [this.registry],
  });

  constructor(labels: WorkerMetricLabels, sources: WorkerGaugeSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rdpfix_worker_' });
    for (const outcome of labels.outcomes) this.outcomes.inc({ outcome, reason: 'none' }, 0);
    for (const script of labels.scripts) for (const status of labels.commandStatuses) this.commands.inc({ script, status }, 0);
    for (const { channel, region } of labels.regions) {
      this.channelThrottles.inc({ channel, region }, 0);
      this.channelErrors.inc({ channel, region }, 0);
    }
    for (const result of WEBHOOK_RESULTS) this.webhookDeliveries.inc({ result }, 0);
    this.reconcilerRequeued.inc(0);
    this.handedBack.inc(0);

    new Gauge({
      name: 'rdpfix_remediations_active',
      help: 'Active remediations by state (PostgreSQL)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await sources.activeByState();
        for (const state of ['queued', 'running', 'awaiting_approval']) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'rdpfix_remediations_overdue',
      help: 'Active remediations past their deadline (PostgreSQL); above 0 for long means stuck',
      registers: [this.registry],
      async collect() {
        this.set(await sources.overdue());
      },
    });
    new Gauge({
      name: 'rdpfix_queue_jobs',
      help: 'BullMQ jobs by queue and state (Redis)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        for (const [queue, counts] of Object.entries(await sources.queueJobs())) {
          for (const state of ['waiting', 'active', 'delayed', 'failed']) this.set({ queue, state }, counts[state] ?? 0);
        }
      },
    });
    // Both budget gauges are collected in the same scrape: they share one Redis read.
    let reading: Promise<ChannelBudgetReading[] | null> | null = null;
    const readBudget = () =>
      (reading ??= (sources.channelBudget ? sources.channelBudget() : Promise.resolve([]))
        // A Redis outage must not fail the whole scrape: the series go away (unknown) until it answers.
        .catch(() => null)
        .finally(() => {
          reading = null;
        }));
    const budgetGauge = (name: string, help: string, value: (r: ChannelBudgetReading) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['channel', 'region'] as const,
        registers: [this.registry],
        async collect() {
          const readings = await readBudget();
          this.reset();
          for (const r of readings ?? []) this.set({ channel: r.channel, region: r.region }, value(r));
        },
      });
    budgetGauge('rdpfix_channel_budget_limit_calls_per_second', 'Shared channel call budget: the most calls per second it grants (CHANNEL_CALLS_PER_SECOND), by channel and region', (r) => r.limit);
    budgetGauge(
      'rdpfix_channel_budget_effective_calls_per_second',
      'Shared channel call budget: calls per second granted now, halved on provider throttling and growing back (Redis); absent while Redis cannot be read',
      (r) => r.effective,
    );
  }

  outcome(outcome: string, reason: string | null | undefined): void {
    this.outcomes.inc({ outcome, reason: reason ?? 'none' });
  }

  command(script: string, status: string): void {
    this.commands.inc({ script, status });
  }

  webhook(result: WebhookResult): void {
    this.webhookDeliveries.inc({ result });
  }
}
