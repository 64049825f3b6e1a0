import { Injectable } from '@nestjs/common';
import { SimStore } from '../../store/sim-store';
import { SsmError } from '../ssm-error';
import { SsmInput } from '../ssm-input';
import { SsmCallContext, SsmOperation, inRegion } from '../ssm-operation';
import { PLUGIN_NAME, getInvocationView } from '../ssm-views';
import { checkCommandId, checkInstanceIdShape } from '../ssm-validation';

@Injectable()
export class GetCommandInvocationOp implements SsmOperation {
  readonly name = 'GetCommandInvocation';

  constructor(private readonly store: SimStore) {}

  instanceIdsOf(input: SsmInput): string[] {
    const id = input.has('InstanceId') ? this.safe(() => input.string('InstanceId')) : undefined;
    return id ? [id] : [];
  }

  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown> {
    const commandId = input.string('CommandId', true)!;
    const instanceId = input.string('InstanceId', true)!;
    checkCommandId(commandId);
    checkInstanceIdShape(instanceId);
    const plugin = input.string('PluginName');
    const cmd = this.store.getCommand(commandId);
    if (!cmd || !inRegion(cmd.region, ctx)) throw new SsmError('InvalidCommandId', 'Invalid command ID.');
    if (plugin !== undefined && plugin !== PLUGIN_NAME) throw new SsmError('InvalidPluginName', 'The plugin name isn\'t valid.');
    const inv = this.store.getInvocation(commandId, instanceId);
    // Eventual consistency: right after SendCommand the invocation is not readable yet.
    if (!inv || ctx.now < inv.visibleAt) {
      throw new SsmError('InvocationDoesNotExist', 'The command ID and managed node ID you specified didn\'t match any invocations. Verify the command ID and the managed node ID and try again.');
    }
    return getInvocationView(cmd, inv);
  }

  private safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch {
      return undefined;
    }
  }
}
