import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ReadinessChecks } from '@rdpfix/observability';
import { WorkerGracefulShutdown } from './graceful-shutdown';
import { MetricsListener } from './metrics.listener';
import { ShutdownState } from './shutdown-state';
import { WorkerHealthController } from './worker-health.controller';
import { workerMetricsProviders } from './worker-metrics.provider';

/**
 * Operations of the worker process: its small HTTP port (health, readiness, metrics), the
 * metrics every lib reports into, and the graceful shutdown. Global so that the channel and the
 * engine find their (optional) metrics sinks.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [WorkerHealthController],
  providers: [...workerMetricsProviders, ReadinessChecks, MetricsListener, ShutdownState, WorkerGracefulShutdown],
  exports: [...workerMetricsProviders, MetricsListener],
})
export class WorkerOpsModule {}
