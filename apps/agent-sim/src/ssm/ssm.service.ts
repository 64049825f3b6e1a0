import { Inject, Injectable } from '@nestjs/common';
import { SIM_OPTIONS, SimulatorOptions } from '../config/simulator-options';
import { FaultService } from '../faults/fault.service';
import { SimStore } from '../store/sim-store';
import { CancelCommandOp } from './ops/cancel-command.op';
import { DescribeInstanceInformationOp } from './ops/describe-instance-information.op';
import { GetCommandInvocationOp } from './ops/get-command-invocation.op';
import { ListCommandInvocationsOp } from './ops/list-command-invocations.op';
import { ListCommandsOp } from './ops/list-commands.op';
import { SendCommandOp } from './ops/send-command.op';
import { regionFromAuthorization } from './request-region';
import { SsmError } from './ssm-error';
import { SsmInput } from './ssm-input';
import { SsmOperation } from './ssm-operation';

const TARGET_PREFIX = 'AmazonSSM.';

/** Routes `X-Amz-Target: AmazonSSM.<Op>` to its handler, with accounting and throttling faults. */
@Injectable()
export class SsmService {
  private readonly ops = new Map<string, SsmOperation>();

  constructor(
    private readonly store: SimStore,
    private readonly faults: FaultService,
    @Inject(SIM_OPTIONS) private readonly options: SimulatorOptions,
    send: SendCommandOp,
    get: GetCommandInvocationOp,
    list: ListCommandInvocationsOp,
    cancel: CancelCommandOp,
    describe: DescribeInstanceInformationOp,
    listCommands: ListCommandsOp,
  ) {
    for (const op of [send, get, list, cancel, describe, listCommands]) this.ops.set(op.name, op);
  }

  handle(target: string | undefined, body: unknown, authorization: string | undefined): Record<string, unknown> {
    const opName = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : (target ?? '');
    const op = this.ops.get(opName);
    this.store.countCall(op ? opName : 'Unknown');
    try {
      if (!op) throw new SsmError('UnknownOperationException', `Unknown operation ${target ?? '(no X-Amz-Target)'}`);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new SsmError('SerializationException', 'Request body must be a JSON object');
      }
      const input = new SsmInput(body as Record<string, unknown>);
      if (this.faults.shouldThrottle(op.instanceIdsOf(input))) throw new SsmError('ThrottlingException', 'Rate exceeded');
      const region = this.options.enforceRegions ? regionFromAuthorization(authorization) : null;
      return op.execute(input, { region, now: Date.now() });
    } catch (e) {
      if (e instanceof SsmError) this.store.countError(e.type, opName || 'Unknown');
      throw e;
    }
  }
}
