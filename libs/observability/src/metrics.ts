import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one API process: process defaults, HTTP requests by route and status,
 * and gauges read at scrape time (remediations by state, queue jobs by state). A registry per
 * app, not prom-client's global one, so several apps can live in one process (tests, demo).
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'rdpfix_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'rdpfix_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(
    activeByState: () => Promise<Record<string, number>>,
    queueJobs: () => Promise<Record<string, number>>,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rdpfix_' });
    new Gauge({
      name: 'rdpfix_remediations_active',
      help: 'Active remediations by state (PostgreSQL)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await activeByState())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'rdpfix_queue_jobs',
      help: 'BullMQ remediation jobs by state (Redis)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await queueJobs())) this.set({ state }, n);
      },
    });
  }

  /** Express middleware that counts and times every request once it has been answered. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.duration.startTimer();
      res.once('finish', () => {
        // The matched route pattern, never the raw URL: ids would explode the label set.
        const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
        end({ method: req.method, route });
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}
