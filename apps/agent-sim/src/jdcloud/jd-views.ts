import { SimInvocation } from '../lifecycle/invocation';
import { jdTime } from './jd-error';
import { JdInvocationRecord } from './jd-state';
import { JdSimConfig } from './jd-sim-config';

export const OFFLINE_ERROR_INFO = 'Cloud Assistant client is not online (云助手客户端不在线)';

/** JD's output cap: < 6000 B, longer output is the first 5000 B + the last 1000 B (GO InvocationInstance). */
export function truncateJdOutput(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < 6000) return text;
  return Buffer.concat([bytes.subarray(0, 5000), bytes.subarray(bytes.length - 1000)]).toString('utf8');
}

/** Per-instance status of a lifecycle invocation, in Cloud Assistant's vocabulary. */
export function jdInstanceStatus(inv: SimInvocation, cfg: JdSimConfig): string {
  switch (inv.status) {
    case 'Pending':
    case 'Delayed':
      return 'pending';
    case 'InProgress':
      return 'running';
    case 'Cancelling':
      return 'stopping';
    case 'Success':
      return cfg.finishSpelling;
    case 'Cancelled':
      return inv.startedAt === null ? 'cancel' : 'terminated';
    case 'TimedOut':
      // Never delivered: the agent was not there (offline agents surface as invalid).
      return inv.statusDetails === 'DeliveryTimedOut' ? 'invalid' : 'timeout';
    case 'Failed':
      if (inv.statusDetails === 'Undeliverable') return 'aborted';
      return inv.interruptedAt !== null ? 'error' : 'failed';
    default:
      return 'pending';
  }
}

const TERMINAL = new Set(['finish', 'finished', 'failed', 'timeout', 'invalid', 'aborted', 'error', 'cancel', 'terminated']);

function errorInfo(inv: SimInvocation, status: string): string {
  if (status === 'invalid') return OFFLINE_ERROR_INFO;
  if (status === 'aborted') return 'command delivery failed';
  if (status === 'timeout') return 'command execution timed out and was stopped';
  if (status === 'error') return 'the instance restarted while the command was running';
  if (status === 'failed') return inv.stderr.trim().slice(0, 1000) || `exit code ${inv.responseCode}`;
  return '';
}

export function instanceView(inv: SimInvocation, name: string, cfg: JdSimConfig): Record<string, unknown> {
  const status = jdInstanceStatus(inv, cfg);
  const done = TERMINAL.has(status);
  // One output stream: stdout then stderr, as a console shows them; only once the run is over.
  const raw = done ? truncateJdOutput(inv.stdout + inv.stderr) : '';
  return {
    instanceId: inv.instanceId,
    instanceName: name,
    status,
    exitCode: done && inv.responseCode !== -1 ? String(inv.responseCode) : '',
    errorInfo: done ? errorInfo(inv, status) : '',
    startTime: jdTime(inv.startedAt),
    endTime: jdTime(inv.endedAt),
    output: cfg.outputEncoding === 'base64' ? Buffer.from(raw, 'utf8').toString('base64') : raw,
    invokeTimes: '1',
    createTime: jdTime(inv.requestedAt),
    updateTime: jdTime(inv.endedAt ?? inv.startedAt ?? inv.requestedAt),
  };
}

/** Invocation status aggregated from its instances (JD documents no rule; Alibaba's is used). */
export function aggregateStatus(statuses: string[], cfg: JdSimConfig): string {
  if (statuses.length === 0) return 'pending';
  if (statuses.some((s) => s === 'stopping')) return 'stopping';
  if (statuses.some((s) => !TERMINAL.has(s))) return statuses.some((s) => s === 'running') ? 'running' : 'pending';
  const ok = statuses.filter((s) => s === cfg.finishSpelling).length;
  if (ok === statuses.length) return cfg.finishSpelling;
  if (statuses.every((s) => s === 'cancel' || s === 'terminated')) return 'stopped';
  return ok > 0 ? 'partial_failed' : 'failed';
}

export function invocationView(rec: JdInvocationRecord, invs: SimInvocation[], names: Map<string, string>, cfg: JdSimConfig): Record<string, unknown> {
  const rows = invs.map((i) => instanceView(i, names.get(i.instanceId) ?? '', cfg));
  const status = aggregateStatus(rows.map((r) => r.status as string), cfg);
  const offline = rows.filter((r) => r.status === 'invalid').length;
  return {
    status,
    commandId: rec.commandId,
    commandName: rec.command.commandName,
    sourceType: 'self',
    invokeId: rec.invokeId,
    instances: [...rec.instances],
    tags: [],
    invokeInstances: [...rec.instances],
    commandType: rec.command.commandType,
    commandContent: rec.command.commandContent,
    commandDescription: rec.command.commandDescription,
    invocationInstances: rows,
    parameters: '',
    timeout: String(rec.timeout),
    username: rec.command.username,
    workdir: rec.command.workdir,
    errorInfo: offline > 0 ? `${offline} instance(s): ${OFFLINE_ERROR_INFO}` : '',
    createTime: jdTime(rec.createdAt),
    execTime: jdTime(rec.createdAt),
  };
}
