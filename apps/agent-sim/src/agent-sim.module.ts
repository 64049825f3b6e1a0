import { DynamicModule, Module, OnModuleDestroy } from '@nestjs/common';
import { AdminController } from './admin/admin.controller';
import { AdminService } from './admin/admin.service';
import { AgentService } from './agent/agent.service';
import { Rng } from './common/rng';
import { SIM_OPTIONS, SimulatorOptions } from './config/simulator-options';
import { FaultService } from './faults/fault.service';
import { HeldSends } from './faults/held-sends';
import { RunLedger } from './ledger/run-ledger';
import { HealthController } from './health.controller';
import { InventoryController } from './inventory/inventory.controller';
import { InventoryService } from './inventory/inventory.service';
import { JDCLOUD_CONTROLLERS, JDCLOUD_PROVIDERS, JdState } from './jdcloud';
import { LifecycleService } from './lifecycle/lifecycle.service';
import { Scheduler } from './lifecycle/scheduler';
import { CancelCommandOp } from './ssm/ops/cancel-command.op';
import { DescribeInstanceInformationOp } from './ssm/ops/describe-instance-information.op';
import { GetCommandInvocationOp } from './ssm/ops/get-command-invocation.op';
import { ListCommandInvocationsOp } from './ssm/ops/list-command-invocations.op';
import { ListCommandsOp } from './ssm/ops/list-commands.op';
import { SendCommandOp } from './ssm/ops/send-command.op';
import { SsmController } from './ssm/ssm.controller';
import { SsmService } from './ssm/ssm.service';
import { SimStore } from './store/sim-store';

@Module({})
export class AgentSimModule implements OnModuleDestroy {
  constructor(private readonly scheduler: Scheduler) {}

  static forRoot(options: SimulatorOptions): DynamicModule {
    return {
      module: AgentSimModule,
      controllers: [SsmController, AdminController, InventoryController, HealthController, ...JDCLOUD_CONTROLLERS],
      providers: [
        { provide: SIM_OPTIONS, useValue: options },
        { provide: Rng, useValue: new Rng(options.seed) },
        SimStore,
        Scheduler,
        FaultService,
        HeldSends,
        RunLedger,
        AgentService,
        LifecycleService,
        SendCommandOp,
        GetCommandInvocationOp,
        ListCommandInvocationsOp,
        CancelCommandOp,
        DescribeInstanceInformationOp,
        ListCommandsOp,
        SsmService,
        AdminService,
        InventoryService,
        ...JDCLOUD_PROVIDERS,
      ],
      exports: [SimStore, AdminService, JdState],
    };
  }

  /** No timer may outlive the app, or Jest would not exit. */
  onModuleDestroy(): void {
    this.scheduler.close();
  }
}
