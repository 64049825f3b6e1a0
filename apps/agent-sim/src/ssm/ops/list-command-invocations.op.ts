import { Injectable } from '@nestjs/common';
import { parseFilterDate, readCommandFilters, checkCommandId, checkInstanceIdShape } from '../ssm-validation';
import { SimStore } from '../../store/sim-store';
import { SimInvocation } from '../../lifecycle/invocation';
import { paginate } from '../pagination';
import { SsmError, validationError } from '../ssm-error';
import { SsmInput } from '../ssm-input';
import { SsmCallContext, SsmOperation, inRegion } from '../ssm-operation';
import { listInvocationView } from '../ssm-views';

const STATUS_VALUES = ['Pending', 'InProgress', 'Success', 'Cancelled', 'Failed', 'TimedOut', 'Cancelling'];

@Injectable()
export class ListCommandInvocationsOp implements SsmOperation {
  readonly name = 'ListCommandInvocations';

  constructor(private readonly store: SimStore) {}

  instanceIdsOf(input: SsmInput): string[] {
    try {
      const id = input.string('InstanceId');
      return id ? [id] : [];
    } catch {
      return [];
    }
  }

  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown> {
    const commandId = input.string('CommandId');
    const instanceId = input.string('InstanceId');
    if (commandId !== undefined) checkCommandId(commandId);
    if (instanceId !== undefined) checkInstanceIdShape(instanceId);
    const maxResults = input.maxResults(1, 50, 50);
    const details = input.boolean('Details') ?? false;
    const filters = readCommandFilters(input.objectList('Filters'), ['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName']);

    let candidates: SimInvocation[];
    if (commandId !== undefined) {
      const cmd = this.store.getCommand(commandId);
      if (!cmd || !inRegion(cmd.region, ctx)) throw new SsmError('InvalidCommandId', 'Invalid command ID.');
      candidates = this.store.invocationsOfCommand(commandId);
    } else if (instanceId !== undefined) {
      candidates = [...this.store.invocationsOfInstance(instanceId)];
    } else {
      candidates = this.store.allInvocations();
    }
    if (instanceId !== undefined) candidates = candidates.filter((i) => i.instanceId === instanceId);
    candidates = candidates.filter((i) => ctx.now >= i.visibleAt && inRegion(this.store.getCommand(i.commandId)?.region ?? null, ctx));
    for (const f of filters) candidates = candidates.filter(matcher(f.key, f.value, this.store));
    candidates.sort((a, b) => b.requestedAt - a.requestedAt || a.instanceId.localeCompare(b.instanceId));

    const query = JSON.stringify({ commandId, instanceId, filters });
    const { page, nextToken } = paginate(candidates, maxResults, input.string('NextToken'), query);
    return {
      CommandInvocations: page.map((inv) =>
        listInvocationView(this.store.getCommand(inv.commandId)!, inv, details, this.store.getInstance(inv.instanceId)?.computerName ?? ''),
      ),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }
}

function matcher(key: string, value: string, store: SimStore): (inv: SimInvocation) => boolean {
  switch (key) {
    case 'InvokedAfter': {
      const t = parseFilterDate(value);
      return (inv) => inv.requestedAt >= t;
    }
    case 'InvokedBefore': {
      const t = parseFilterDate(value);
      return (inv) => inv.requestedAt <= t;
    }
    case 'Status':
      if (!STATUS_VALUES.includes(value)) throw validationError(`Value '${value}' at 'filters.member.value' failed to satisfy constraint: Status must be one of ${STATUS_VALUES.join(', ')}`);
      return (inv) => inv.status === value;
    case 'DocumentName':
      return (inv) => store.getCommand(inv.commandId)?.documentName === value;
    case 'ExecutionStage':
      if (value !== 'Executing' && value !== 'Complete') throw validationError(`Value '${value}' at 'filters.member.value' failed to satisfy constraint: ExecutionStage must be Executing or Complete`);
      return (inv) => (value === 'Complete') === (inv.phase === 'done');
    default:
      return () => true;
  }
}
