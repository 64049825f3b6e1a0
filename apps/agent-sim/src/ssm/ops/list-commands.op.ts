import { Injectable } from '@nestjs/common';
import { FaultService } from '../../faults/fault.service';
import { SimCommand } from '../../lifecycle/invocation';
import { SimStore } from '../../store/sim-store';
import { paginate } from '../pagination';
import { SsmError } from '../ssm-error';
import { SsmInput } from '../ssm-input';
import { SsmCallContext, SsmOperation, inRegion } from '../ssm-operation';
import { commandStatus, commandView } from '../ssm-views';
import { checkCommandId, checkInstanceIdShape, parseFilterDate, readCommandFilters } from '../ssm-validation';

/** ListCommands: commands visible in this region, newest first. */
@Injectable()
export class ListCommandsOp implements SsmOperation {
  readonly name = 'ListCommands';

  constructor(
    private readonly store: SimStore,
    private readonly faults: FaultService,
  ) {}

  instanceIdsOf(): string[] {
    return [];
  }

  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown> {
    const commandId = input.string('CommandId');
    const instanceId = input.string('InstanceId');
    if (commandId !== undefined) checkCommandId(commandId);
    if (instanceId !== undefined) checkInstanceIdShape(instanceId);
    const maxResults = input.maxResults(1, 50, 50);
    const filters = readCommandFilters(input.objectList('Filters'), ['InvokedAfter', 'InvokedBefore', 'Status', 'DocumentName', 'ExecutionStage']);
    if (commandId !== undefined) {
      const cmd = this.store.getCommand(commandId);
      if (!cmd || !inRegion(cmd.region, ctx)) throw new SsmError('InvalidCommandId', 'Invalid command ID.');
    }
    // Eventually consistent: a command shows up in listings only some time after the send (delayListingMs fault).
    let cmds = [...this.store.commands.values()].filter((c) => ctx.now >= c.visibleAt + this.faults.listingDelayMs(c.instanceIds) && inRegion(c.region, ctx));
    if (commandId !== undefined) cmds = cmds.filter((c) => c.commandId === commandId);
    // Pessimistic, as AWS hints (it refuses InstanceId with Status=Pending: such a command "hasn't
    // reached the managed node yet"): an instance's listing leaves out what was not delivered to it.
    if (instanceId !== undefined) cmds = cmds.filter((c) => c.instanceIds.includes(instanceId) && this.store.getInvocation(c.commandId, instanceId)?.status !== 'Pending');
    for (const f of filters) cmds = cmds.filter(this.matcher(f.key, f.value));
    cmds.sort((a, b) => b.requestedAt - a.requestedAt);
    const { page, nextToken } = paginate(cmds, maxResults, input.string('NextToken'), JSON.stringify({ commandId, instanceId, filters }));
    return {
      Commands: page.map((c) => commandView(c, this.store.invocationsOfCommand(c.commandId))),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  private matcher(key: string, value: string): (c: SimCommand) => boolean {
    switch (key) {
      case 'InvokedAfter': {
        const t = parseFilterDate(value);
        return (c) => c.requestedAt >= t;
      }
      case 'InvokedBefore': {
        const t = parseFilterDate(value);
        return (c) => c.requestedAt <= t;
      }
      case 'Status':
        return (c) => commandStatus(this.store.invocationsOfCommand(c.commandId)).status === value;
      case 'DocumentName':
        return (c) => c.documentName === value;
      default:
        return () => true;
    }
  }
}
