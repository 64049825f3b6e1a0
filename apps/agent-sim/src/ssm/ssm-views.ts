import { epochSeconds, isoDuration, isoString } from '../common/time';
import { SimCommand, SimInvocation } from '../lifecycle/invocation';
import { ERROR_TRUNCATED, OUTPUT_TRUNCATED, STDERR_CAP, STDOUT_CAP, capText, pluginOutput } from './output-truncation';

/** The one step of AWS-RunPowerShellScript (schema 1.2). */
export const PLUGIN_NAME = 'aws:runPowerShellScript';

const NOTIFICATION_CONFIG = { NotificationArn: '', NotificationEvents: [], NotificationType: '' };
const CLOUDWATCH_CONFIG = { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false };

/** Wire shape of a command (SendCommand, ListCommands), with counts aggregated from its invocations. */
export function commandView(cmd: SimCommand, invocations: SimInvocation[]): Record<string, unknown> {
  const done = invocations.filter((i) => i.phase === 'done');
  const errors = done.filter((i) => i.status === 'Failed' && i.statusDetails === 'Failed').length +
    done.filter((i) => i.statusDetails === 'ExecutionTimedOut').length;
  const deliveryTimedOut = done.filter((i) => i.statusDetails === 'DeliveryTimedOut').length;
  const { status, details } = commandStatus(invocations);
  return {
    CommandId: cmd.commandId,
    DocumentName: cmd.documentName,
    DocumentVersion: '$DEFAULT',
    Comment: cmd.comment,
    ExpiresAfter: epochSeconds(cmd.requestedAt + (cmd.timeoutSeconds + cmd.executionTimeoutSeconds) * 1000),
    Parameters: cmd.parameters,
    InstanceIds: cmd.instanceIds,
    Targets: [],
    RequestedDateTime: epochSeconds(cmd.requestedAt),
    Status: status,
    StatusDetails: details,
    OutputS3Region: '',
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    MaxConcurrency: cmd.maxConcurrency,
    MaxErrors: cmd.maxErrors,
    TargetCount: cmd.instanceIds.length,
    CompletedCount: done.length,
    ErrorCount: errors,
    DeliveryTimedOutCount: deliveryTimedOut,
    ServiceRole: '',
    NotificationConfig: NOTIFICATION_CONFIG,
    CloudWatchOutputConfig: CLOUDWATCH_CONFIG,
    TimeoutSeconds: cmd.timeoutSeconds,
  };
}

/** CommandStatus of the parent: Pending/InProgress until all invocations end, then the worst outcome. */
export function commandStatus(invocations: SimInvocation[]): { status: string; details: string } {
  if (invocations.length === 0) return { status: 'Pending', details: 'Pending' };
  const open = invocations.filter((i) => i.phase !== 'done');
  if (open.length > 0) {
    if (open.some((i) => i.phase === 'cancelling')) return { status: 'Cancelling', details: 'Cancelling' };
    const started = invocations.some((i) => i.startedAt !== null || i.phase === 'done');
    return started ? { status: 'InProgress', details: 'InProgress' } : { status: 'Pending', details: 'Pending' };
  }
  if (invocations.every((i) => i.status === 'Success')) return { status: 'Success', details: 'Success' };
  if (invocations.every((i) => i.status === 'Cancelled')) return { status: 'Cancelled', details: 'Cancelled' };
  if (invocations.some((i) => i.status === 'Failed')) return { status: 'Failed', details: 'Failed' };
  if (invocations.some((i) => i.status === 'TimedOut')) {
    const allDelivery = invocations.every((i) => i.statusDetails === 'DeliveryTimedOut');
    return { status: 'TimedOut', details: allDelivery ? 'DeliveryTimedOut' : 'ExecutionTimedOut' };
  }
  return { status: 'Success', details: 'Incomplete' };
}

/** GetCommandInvocation result. Output is empty until the invocation ends. */
export function getInvocationView(cmd: SimCommand, inv: SimInvocation): Record<string, unknown> {
  const done = inv.phase === 'done';
  return {
    CommandId: cmd.commandId,
    InstanceId: inv.instanceId,
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: PLUGIN_NAME,
    ResponseCode: inv.responseCode,
    ExecutionStartDateTime: inv.startedAt !== null ? isoString(inv.startedAt) : '',
    ExecutionElapsedTime: inv.startedAt !== null ? isoDuration((inv.endedAt ?? Date.now()) - inv.startedAt) : '',
    ExecutionEndDateTime: inv.endedAt !== null && inv.startedAt !== null ? isoString(inv.endedAt) : '',
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    StandardOutputContent: done ? capText(inv.stdout, STDOUT_CAP, OUTPUT_TRUNCATED) : '',
    StandardOutputUrl: '',
    StandardErrorContent: done ? capText(inv.stderr, STDERR_CAP, ERROR_TRUNCATED) : '',
    StandardErrorUrl: '',
    CloudWatchOutputConfig: CLOUDWATCH_CONFIG,
  };
}

/** CommandPluginStatus has no Delayed/Cancelling. */
function pluginStatus(inv: SimInvocation): string {
  if (inv.status === 'Cancelling') return 'InProgress';
  if (inv.status === 'Delayed') return 'Pending';
  return inv.status;
}

/** ListCommandInvocations entry; `details` adds CommandPlugins with output capped at 2,500 chars. */
export function listInvocationView(cmd: SimCommand, inv: SimInvocation, details: boolean, computerName: string): Record<string, unknown> {
  const done = inv.phase === 'done';
  const plugins = details
    ? [
        {
          Name: PLUGIN_NAME,
          Status: pluginStatus(inv),
          StatusDetails: inv.statusDetails,
          ResponseCode: inv.responseCode,
          ...(inv.startedAt !== null ? { ResponseStartDateTime: epochSeconds(inv.startedAt) } : {}),
          ...(done && inv.endedAt !== null ? { ResponseFinishDateTime: epochSeconds(inv.endedAt) } : {}),
          Output: done ? pluginOutput(inv.stdout, inv.stderr) : '',
          StandardOutputUrl: '',
          StandardErrorUrl: '',
          OutputS3Region: '',
          OutputS3BucketName: '',
          OutputS3KeyPrefix: '',
        },
      ]
    : [];
  return {
    CommandId: cmd.commandId,
    InstanceId: inv.instanceId,
    InstanceName: computerName,
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: '$DEFAULT',
    RequestedDateTime: epochSeconds(inv.requestedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CommandPlugins: plugins,
    ServiceRole: '',
    NotificationConfig: NOTIFICATION_CONFIG,
    CloudWatchOutputConfig: CLOUDWATCH_CONFIG,
  };
}
