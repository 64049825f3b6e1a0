import { Injectable } from '@nestjs/common';
import { LifecycleService } from '../../lifecycle/lifecycle.service';
import { SimStore } from '../../store/sim-store';
import { SsmError } from '../ssm-error';
import { SsmInput } from '../ssm-input';
import { SsmCallContext, SsmOperation, inRegion } from '../ssm-operation';
import { checkCommandId, checkInstanceIdList } from '../ssm-validation';

/** CancelCommand: best effort, like the service ("no guarantee that the command will be terminated"). */
@Injectable()
export class CancelCommandOp implements SsmOperation {
  readonly name = 'CancelCommand';

  constructor(
    private readonly store: SimStore,
    private readonly lifecycle: LifecycleService,
  ) {}

  instanceIdsOf(input: SsmInput): string[] {
    return input.lenientStringList('InstanceIds');
  }

  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown> {
    const commandId = input.string('CommandId', true)!;
    checkCommandId(commandId);
    const instanceIds = input.stringList('InstanceIds');
    if (instanceIds) checkInstanceIdList(instanceIds);
    const cmd = this.store.getCommand(commandId);
    if (!cmd || !inRegion(cmd.region, ctx)) throw new SsmError('InvalidCommandId', 'Invalid command ID.');
    this.lifecycle.cancel(commandId, instanceIds && instanceIds.length > 0 ? instanceIds : null);
    return {};
  }
}
