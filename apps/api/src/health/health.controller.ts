import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import type { Response } from 'express';
import { answerHealth, pingQueueRedis, ReadinessChecks } from '@rdpfix/observability';
import { QUEUES } from '@rdpfix/queue';
import { Public } from '../auth/auth.decorators';
import { ref } from '../openapi/schema-helpers';
import { RequestDrain } from '../ops/request-drain';

/**
 * Liveness and readiness (@nestjs/terminus). Live: the process answers. Ready: PostgreSQL
 * answers, every migration is applied and Redis answers; otherwise 503 (never 500) naming what
 * is down. No business data, no key needed.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: ReadinessChecks,
    @InjectQueue(QUEUES.remediations) private readonly queue: Queue,
    private readonly drain: RequestDrain,
  ) {}

  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up (restart it when this fails)' })
  @ApiOkResponse({ description: 'Up.', schema: ref('Health') })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: PostgreSQL, Redis and migrations; 503 when a dependency is down' })
  @ApiOkResponse({ description: 'Ready: every check is up.', schema: ref('Health') })
  @ApiResponse({ status: 503, description: 'Not ready: `error` is `not_ready`, `checks` says which dependency is down.', schema: ref('ErrorBody') })
  ready(@Res({ passthrough: true }) res: Response) {
    return answerHealth(res, () => this.health.check(this.readinessChecks()));
  }

  /** The readiness answer under its older name (kept for existing probes and scripts). */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Same as /health/ready' })
  @ApiOkResponse({ description: 'Ready.', schema: ref('Health') })
  @ApiResponse({ status: 503, description: 'Not ready (see /health/ready).', schema: ref('ErrorBody') })
  legacy(@Res({ passthrough: true }) res: Response) {
    return this.ready(res);
  }

  private readinessChecks() {
    return [
      () => this.checks.postgres(),
      () => this.checks.migrations(),
      () => this.checks.redis(() => pingQueueRedis(this.queue)),
      () => this.checks.flag('accepting', !this.drain.draining, { draining: this.drain.draining }),
    ];
  }
}
