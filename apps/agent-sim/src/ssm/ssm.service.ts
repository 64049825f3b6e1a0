import { Inject, Injectable } from '@nestjs/common';
import { HEADER_PATTERN } from '@rdpfix/runbook/contract';
import { SIM_OPTIONS, SimulatorOptions } from '../config/simulator-options';
import { FaultService } from '../faults/fault.service';
import { HeldSends } from '../faults/held-sends';
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

/** What the controller does with a call: answer with `body`, or drop the connection unanswered. */
export type SsmReply = { kind: 'answer'; body: Record<string, unknown> } | { kind: 'drop' };

/** The caller's connection, as far as a held or dropped send needs it. */
export interface SsmConnection {
  closed(): boolean;
}

/** Routes `X-Amz-Target: AmazonSSM.<Op>` to its handler, with accounting and throttling faults. */
@Injectable()
export class SsmService {
  private readonly ops = new Map<string, SsmOperation>();

  constructor(
    private readonly store: SimStore,
    private readonly faults: FaultService,
    @Inject(SIM_OPTIONS) private readonly options: SimulatorOptions,
    private readonly heldSends: HeldSends,
    send: SendCommandOp,
    get: GetCommandInvocationOp,
    list: ListCommandInvocationsOp,
    cancel: CancelCommandOp,
    describe: DescribeInstanceInformationOp,
    listCommands: ListCommandsOp,
  ) {
    for (const op of [send, get, list, cancel, describe, listCommands]) this.ops.set(op.name, op);
  }

  /**
   * handle() plus the send faults: a SendCommand may be held open (before or after it acts) or
   * act and lose its answer (dropSendResponseRate), as a lost response does at a real endpoint.
   */
  async reply(target: string | undefined, body: unknown, authorization: string | undefined, conn: SsmConnection): Promise<SsmReply> {
    const isSend = target === `${TARGET_PREFIX}SendCommand` && typeof body === 'object' && body !== null && !Array.isArray(body);
    const input = isSend ? new SsmInput(body as Record<string, unknown>) : null;
    const ids = input ? this.ops.get('SendCommand')!.instanceIdsOf(input) : [];
    const script = input ? scriptNameOf(input) : null;
    if (isSend && this.faults.holdSends(ids, script) === 'before') {
      const how = await this.heldSends.hold({ instanceIds: ids, stage: 'before', commandId: null }, () => conn.closed(), () => this.faults.holdSends(ids, script) === 'before');
      if (how === 'closed') return { kind: 'drop' }; // the caller went away before anything happened
    }
    const out = this.handle(target, body, authorization);
    if (!isSend) return { kind: 'answer', body: out };
    if (this.faults.holdSends(ids, script) === 'after') {
      const commandId = String((out.Command as { CommandId?: string } | undefined)?.CommandId ?? '');
      const how = await this.heldSends.hold({ instanceIds: ids, stage: 'after', commandId }, () => conn.closed(), () => this.faults.holdSends(ids, script) === 'after');
      if (how === 'closed') return { kind: 'drop' };
    }
    if (this.faults.dropsSendResponse(ids, script)) {
      this.store.countError('DroppedResponse', 'SendCommand');
      return { kind: 'drop' };
    }
    return { kind: 'answer', body: out };
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

/** The script a SendCommand carries, by its header (`# rdpfix-script: <name> v<n>`), else null. */
function scriptNameOf(input: SsmInput): string | null {
  try {
    const first = (input.stringListMap('Parameters')?.commands?.[0] ?? '').split(/\r?\n/, 1)[0];
    return HEADER_PATTERN.exec(first)?.[1] ?? null;
  } catch {
    return null;
  }
}
