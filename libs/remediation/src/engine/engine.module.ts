import { Module } from '@nestjs/common';
import { RemediationDispatcher } from '@rdpfix/queue';
import { CommandRunner } from './command-runner';
import { ReconcilerService } from './reconciler.service';
import { RemediationEngine } from './remediation-engine';
import { REMEDIATION_LISTENERS, RemediationFinisher } from './remediation-finisher';
import { WebhookListener } from '@rdpfix/webhooks';
import { RemediationWorkerService } from './remediation-worker.service';
import { ApplyStep } from './steps/apply.step';
import { DiagnoseStep } from './steps/diagnose.step';
import { PlanStep } from './steps/plan.step';
import { PrecheckStep } from './steps/precheck.step';
import { RebootStep } from './steps/reboot.step';
import { VerifyStep } from './steps/verify.step';

/** Everything the worker process runs. Needs Config, Persistence, Queue and Channel modules. */
@Module({
  providers: [
    CommandRunner,
    RemediationFinisher,
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
    // Whoever must hear of a finished or parked remediation: today the webhook sender.
    { provide: REMEDIATION_LISTENERS, useFactory: (w: WebhookListener) => [w], inject: [WebhookListener] },
  ],
  exports: [RemediationEngine, ReconcilerService, RemediationFinisher],
})
export class EngineModule {}
