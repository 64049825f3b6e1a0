import { DynamicModule, Module, Type } from '@nestjs/common';
import { RemediationDispatcher } from '@rdpfix/queue';
import { CommandRunner } from './command-runner';
import { KnownRuns } from './known-runs';
import { ReconcilerService } from './reconciler.service';
import { RemediationEngine } from './remediation-engine';
import { REMEDIATION_LISTENERS, RemediationFinisher, RemediationListener } from './remediation-finisher';
import { RemediationWorkerService } from './remediation-worker.service';
import { ApplyStep } from './steps/apply.step';
import { DiagnoseStep } from './steps/diagnose.step';
import { PlanStep } from './steps/plan.step';
import { PrecheckStep } from './steps/precheck.step';
import { RebootStep } from './steps/reboot.step';
import { VerifyStep } from './steps/verify.step';
import { RemediationEnding } from './lifecycle/remediation-ending';
import { OwnershipRecheck } from './lifecycle/ownership-recheck';
import { BatchedRuns } from './batch/batched-runs';
import { BatchWorkerService } from './batch/batch-worker.service';
import { InstanceInfoBatcher } from './batch/instance-info-batcher';
import { InventoryBatcher } from './batch/inventory-batcher';
import { InlineAdvance } from './batch/inline-advance';

/** Everything the worker process runs. Needs Config, Persistence, Queue and Channel modules. */
@Module({
  providers: [
    CommandRunner,
    KnownRuns,
    RemediationFinisher,
    RemediationEnding,
    OwnershipRecheck,
    RemediationEngine,
    RemediationDispatcher,
    RemediationWorkerService,
    ReconcilerService,
    PrecheckStep,
    DiagnoseStep,
    PlanStep,
    ApplyStep,
    RebootStep,
    VerifyStep,
    // The batched command path of campaign work (issue 10, docs/batching.md).
    BatchWorkerService,
    BatchedRuns,
    InstanceInfoBatcher,
    InventoryBatcher,
    InlineAdvance,
  ],
  exports: [RemediationEngine, ReconcilerService, RemediationFinisher],
})
export class EngineModule {
  /**
   * `listeners`: whoever must hear of a finished or parked remediation (webhooks, campaigns). The
   * app names them, so this lib never imports the libs that listen to it.
   */
  static forRoot(opts: { listeners?: Type<RemediationListener>[] } = {}): DynamicModule {
    const listeners = opts.listeners ?? [];
    return {
      module: EngineModule,
      // Global for InlineAdvance: the campaign scheduler (CampaignsWorkerModule) starts the
      // remediations it creates through it, and this lib may not import the campaigns lib.
      global: true,
      providers: [{ provide: REMEDIATION_LISTENERS, useFactory: (...ls: RemediationListener[]) => ls, inject: listeners }],
      exports: [InlineAdvance],
    };
  }
}
