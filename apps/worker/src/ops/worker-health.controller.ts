import { Controller, Get, Header, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { getQueueToken } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Queue } from 'bullmq';
import { answerHealth, pingQueueRedis, ReadinessChecks, WorkerMetrics } from '@rdpfix/observability';
import { QUEUES } from '@rdpfix/queue';
import { RemediationWorkerService } from '@rdpfix/remediation';
import { ShutdownState } from './shutdown-state';

/**
 * The worker's own small HTTP surface (WORKER_HTTP_PORT): liveness, readiness and Prometheus
 * metrics. Ready = PostgreSQL answers, migrations are current, Redis answers, and the
 * remediation worker is consuming (running, not paused, not closing).
 */
@Controller()
export class WorkerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: ReadinessChecks,
    private readonly moduleRef: ModuleRef,
    private readonly shutdown: ShutdownState,
    private readonly metrics: WorkerMetrics,
    @Inject(getQueueToken(QUEUES.remediations)) private readonly queue: Queue,
  ) {}

  /** The engine's queue worker (its module does not export it; looked up across modules). */
  private get worker(): RemediationWorkerService {
    return this.moduleRef.get(RemediationWorkerService, { strict: false });
  }

  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  ready(@Res({ passthrough: true }) res: Response) {
    return answerHealth(res, () =>
      this.health.check([
        () => this.checks.postgres(),
        () => this.checks.migrations(),
        () => this.checks.redis(() => pingQueueRedis(this.queue)),
        () => this.consuming(),
      ]),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  private consuming() {
    const w = this.worker.bullWorker;
    const running = !!w && w.isRunning();
    const paused = !!w && w.isPaused();
    const ok = running && !paused && !this.shutdown.stopping;
    return this.checks.flag('consuming', ok, { running, paused, stopping: this.shutdown.stopping });
  }
}
