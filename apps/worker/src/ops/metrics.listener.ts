import { Injectable } from '@nestjs/common';
import { WorkerMetrics } from '@rdpfix/observability';
import { RemediationEntity } from '@rdpfix/persistence';
import { RemediationListener } from '@rdpfix/remediation';

/** Counts every remediation that ends in this worker by outcome and reason. */
@Injectable()
export class MetricsListener implements RemediationListener {
  constructor(private readonly metrics: WorkerMetrics) {}

  async onFinished(r: RemediationEntity): Promise<void> {
    if (r.outcome) this.metrics.outcome(r.outcome, r.reason);
  }

  async onAwaitingApproval(): Promise<void> {}
}
