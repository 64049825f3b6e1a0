import { Injectable } from '@nestjs/common';
import { LifecycleService } from '../../lifecycle/lifecycle.service';
import { SimStore } from '../../store/sim-store';
import { SsmError, validationError } from '../ssm-error';
import { SsmInput } from '../ssm-input';
import { SsmCallContext, SsmOperation, inRegion } from '../ssm-operation';
import { commandView } from '../ssm-views';
import { checkInstanceIdList } from '../ssm-validation';

const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const SUPPORTED_DOCUMENT = 'AWS-RunPowerShellScript';
const DOCUMENT_PARAMETERS = ['commands', 'workingDirectory', 'executionTimeout'];
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** SendCommand for AWS-RunPowerShellScript to ≤ 50 InstanceIds (Targets are not modelled). */
@Injectable()
export class SendCommandOp implements SsmOperation {
  readonly name = 'SendCommand';

  constructor(
    private readonly store: SimStore,
    private readonly lifecycle: LifecycleService,
  ) {}

  instanceIdsOf(input: SsmInput): string[] {
    return input.lenientStringList('InstanceIds');
  }

  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown> {
    const documentName = input.string('DocumentName', true)!;
    if (!DOCUMENT_NAME.test(documentName)) {
      throw validationError(`Value '${documentName}' at 'documentName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.:/]{3,128}$`);
    }
    const comment = input.string('Comment') ?? '';
    if (comment.length > 100) {
      throw validationError(`Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100`);
    }
    const timeoutSeconds = input.number('TimeoutSeconds') ?? 3600;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30 || timeoutSeconds > 2_592_000) {
      throw validationError(`Value '${timeoutSeconds}' at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000`);
    }
    const maxConcurrency = input.string('MaxConcurrency') ?? '50';
    if (!MAX_CONCURRENCY.test(maxConcurrency)) {
      throw validationError(`Value '${maxConcurrency}' at 'maxConcurrency' failed to satisfy constraint: Member must satisfy regular expression pattern: ${MAX_CONCURRENCY.source}`);
    }
    const maxErrors = input.string('MaxErrors') ?? '0';
    if (!MAX_ERRORS.test(maxErrors)) {
      throw validationError(`Value '${maxErrors}' at 'maxErrors' failed to satisfy constraint: Member must satisfy regular expression pattern: ${MAX_ERRORS.source}`);
    }
    if (input.has('Targets')) {
      throw new SsmError('InvalidParameters', 'The simulator does not model Targets; send up to 50 InstanceIds instead.');
    }
    const instanceIds = input.stringList('InstanceIds') ?? [];
    if (instanceIds.length === 0) throw validationError(`Value null at 'instanceIds' failed to satisfy constraint: InstanceIds or Targets must be specified`);
    checkInstanceIdList(instanceIds);
    const dup = instanceIds.find((id, i) => instanceIds.indexOf(id) !== i);
    if (dup) throw new SsmError('DuplicateInstanceId', `Instance Id ${dup} is duplicated in the request.`);

    if (documentName !== SUPPORTED_DOCUMENT) {
      throw new SsmError('InvalidDocument', `Document with name ${documentName} does not exist.`);
    }
    const unknown = instanceIds.filter((id) => {
      const inst = this.store.getInstance(id);
      return !inst || !inRegion(inst.region, ctx);
    });
    if (unknown.length > 0) {
      throw new SsmError('InvalidInstanceId', `Instances [[${unknown.join(', ')}]] not in a valid state for account 123456789012`);
    }

    const parameters = input.stringListMap('Parameters') ?? {};
    const executionTimeoutSeconds = checkParameters(parameters);

    const cmd = this.lifecycle.send({
      documentName,
      comment,
      parameters,
      instanceIds,
      region: ctx.region,
      timeoutSeconds,
      executionTimeoutSeconds,
      maxConcurrency,
      maxErrors,
    });
    return { Command: commandView(cmd, this.store.invocationsOfCommand(cmd.commandId)) };
  }
}

/** AWS-RunPowerShellScript's parameters: commands (required), workingDirectory, executionTimeout 1..172800. */
function checkParameters(parameters: Record<string, string[]>): number {
  const extra = Object.keys(parameters).filter((k) => !DOCUMENT_PARAMETERS.includes(k));
  if (extra.length > 0) throw new SsmError('InvalidParameters', `Parameters provided are not valid: unknown parameter(s) ${extra.join(', ')}.`);
  const commands = parameters.commands;
  if (!commands || commands.length === 0 || commands.every((c) => c.trim() === '')) {
    throw new SsmError('InvalidParameters', 'Parameters provided are not valid: commands is required.');
  }
  const timeout = parameters.executionTimeout;
  if (timeout === undefined) return 3600;
  const raw = timeout.length === 1 ? timeout[0] : '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 172_800) {
    throw new SsmError('InvalidParameters', `Parameters provided are not valid: executionTimeout must be a whole number of seconds from 1 to 172800, got '${timeout.join(',')}'.`);
  }
  return n;
}
