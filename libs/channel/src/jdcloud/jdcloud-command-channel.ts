import { isTerminalCommandStatus } from '@rdpfix/domain';
import { ChannelError, ChannelThrottledError } from '../channel-errors';
import { CommandChannel, InstanceInfo, InvocationResult, MarkerWindow, SendRequest } from '../command-channel.port';
import { CommandJanitor } from './jdcloud-command-janitor';
import { JdcloudApiError } from './jdcloud-errors';
import { JdcloudHttp } from './jdcloud-http';
import { commandNameFor } from './jdcloud-marker';
import { JdcloudChannelOptions } from './jdcloud-options';
import {
  decodeJdOutput,
  mapJdInstanceStatus,
  mapJdInvocationStatusWithoutInstance,
  parseIntString,
  parseJdTime,
} from './jdcloud-status';
import { JdAssistant, JdDescribeInvocationsResult, JdInvocation } from './jdcloud-types';
import { JdcloudVmClient } from './jdcloud-vm';
import { assertRunbookFits } from './script-size';
import { packScript } from './script-transport';

const TERMINAL_INVOCATION = new Set(['finish', 'finished', 'failed', 'partial_failed', 'stopped']);
/** describeAssistants status values taken as "online" (the enum is not documented: not verified). */
const ONLINE_AGENT_STATUSES = new Set(['online', 'running', 'normal', 'ok', 'true', 'active']);

/**
 * JD Cloud Cloud Assistant (云助手) behind the CommandChannel port:
 * createCommand (powershell, base64, packed under the size limit) → invokeCommand (≤ 50
 * instances) → describeInvocations → deleteCommands once the invocation is finished.
 *
 * `commandId` returned by send() is the **invokeId** — the thing that is polled. The JD
 * commandId needs no storage: every invocation record carries it, so it is read back when the
 * invocation is seen finished and the command is deleted `deleteDelayS` later (deleting earlier
 * could, if JD drops an invocation's history with its command — not verified — hide results that
 * other pollers of the same batch still need).
 */
export class JdcloudCommandChannel implements CommandChannel {
  readonly name = 'jdcloud';
  readonly maxInstancesPerSend = 50;
  private readonly http: JdcloudHttp;
  private readonly vm: JdcloudVmClient;
  private readonly janitor: CommandJanitor;

  constructor(private readonly opts: JdcloudChannelOptions) {
    // Fail at startup, naming the scripts, rather than at the first send of a too-large one.
    assertRunbookFits(opts.maxScriptBytes);
    const common = {
      credentials: opts.credentials,
      connectTimeoutMs: opts.connectTimeoutMs,
      requestTimeoutMs: opts.requestTimeoutMs,
      maxAttempts: opts.maxAttempts,
      backoffBaseMs: opts.backoffBaseMs,
      // Every throttled attempt backs the shared budget off for every worker, as on SSM (retried ones too).
      onRateLimit: (region: string) => void this.opts.budget?.throttled(this.name, region),
    };
    this.http = new JdcloudHttp({ ...common, endpointFor: opts.endpointFor, service: 'assistant' });
    this.vm = new JdcloudVmClient({ ...common, endpointFor: opts.vmEndpointFor });
    this.janitor = new CommandJanitor(opts.deleteDelayS, (region, ids) => this.deleteCommands(region, ids));
  }

  private async budget(region: string): Promise<void> {
    if (this.opts.budget) await this.opts.budget.take(this.name, region);
  }

  private path(region: string, op: string): string {
    return `/v1/regions/${encodeURIComponent(region)}/${op}`;
  }

  /** createCommand + invokeCommand: two calls of the budget. */
  async reserveSend(region: string): Promise<void> {
    await this.budget(region);
    await this.budget(region);
  }

  async send(req: SendRequest): Promise<{ commandId: string }> {
    if (req.instanceIds.length < 1 || req.instanceIds.length > this.maxInstancesPerSend) {
      throw new ChannelError(`invokeCommand takes 1 to ${this.maxInstancesPerSend} instances`, 'TooManyInstances', false);
    }
    const marker = req.marker;
    const packed = packScript(req.scriptText);
    if (packed.commandContent.length >= this.opts.maxScriptBytes) {
      throw new ChannelError(`script is ${packed.commandContent.length} bytes, over the ${this.opts.maxScriptBytes}-byte commandContent limit`, 'ScriptTooLarge', false);
    }
    // JD's timeout is the execution timeout, [10, 86400] s; there is no delivery timeout.
    const timeout = Math.min(86400, Math.max(10, Math.round(req.executionTimeoutS)));
    if (!req.budgetReserved) await this.budget(req.region);
    let jdCommandId: string;
    try {
      const out = await this.http.call<{ commandId?: string }>(req.region, this.path(req.region, 'createCommand'), 'createCommand', {
        regionId: req.region,
        commandName: commandNameFor(marker),
        commandType: 'powershell',
        commandContent: packed.commandContent,
        commandDescription: marker,
        timeout,
      }, { retry: false });
      if (!out.commandId) throw new ChannelError('createCommand returned no commandId', 'NoCommandId', true, 'no');
      jdCommandId = out.commandId;
    } catch (err) {
      // Creating a command runs nothing: whatever happened, the script did not start.
      const e = this.translate(err, false, req.region);
      throw e instanceof ChannelError ? new ChannelError(e.message, e.code, e.retryable, 'no') : e;
    }
    if (!req.budgetReserved) {
      await this.budget(req.region).catch((err) => {
        this.janitor.forget(req.region, jdCommandId);
        throw err;
      });
    }
    try {
      const out = await this.http.call<{ invokeId?: string }>(req.region, this.path(req.region, 'invokeCommand'), 'invokeCommand', {
        regionId: req.region,
        commandId: jdCommandId,
        instances: req.instanceIds,
        timeout,
      }, { retry: false });
      if (!out.invokeId) throw new ChannelError('invokeCommand returned no invokeId', 'NoInvokeId', true, 'unknown');
      return { commandId: out.invokeId };
    } catch (err) {
      const e = this.translate(err, true, req.region);
      // Refused for sure: the command will never run, delete it. Unknown: keep it, the lookup needs it.
      if (e instanceof ChannelThrottledError || (e instanceof ChannelError && e.sent === 'no')) this.janitor.forget(req.region, jdCommandId);
      throw e;
    }
  }

  async result(region: string, commandId: string, instanceId: string): Promise<InvocationResult | null> {
    const inv = await this.invocation(region, commandId);
    if (!inv) return null;
    return this.instanceResult(inv, instanceId);
  }

  async results(region: string, commandId: string): Promise<Map<string, InvocationResult>> {
    const found = new Map<string, InvocationResult>();
    const inv = await this.invocation(region, commandId);
    if (!inv) return found;
    const ids = new Set<string>([...(inv.instances ?? []), ...(inv.invocationInstances ?? []).map((i) => i.instanceId ?? '')]);
    for (const id of ids) {
      if (!id) continue;
      const r = this.instanceResult(inv, id);
      if (r) found.set(id, r);
    }
    return found;
  }

  async findByMarker(region: string, marker: string, window: MarkerWindow): Promise<string | null> {
    // The command name derived from the marker already narrows the listing; window.instanceId is not needed.
    const name = commandNameFor(marker);
    for (let page = 1; page <= 50; page++) {
      await this.budget(region);
      let out: JdDescribeInvocationsResult;
      try {
        out = await this.http.call<JdDescribeInvocationsResult>(region, this.path(region, 'describeInvocations'), 'describeInvocations', {
          regionId: region,
          commandNames: [name],
          pageNumber: page,
          pageSize: 100,
        }, { retry: true });
      } catch (err) {
        throw this.translate(err, false, region);
      }
      const invocations = out.invocations ?? [];
      const hit = invocations.find((inv) => {
        if (inv.commandName !== undefined && inv.commandName !== name) return false;
        // The name may be shared by two markers; the description is the marker itself.
        if (inv.commandDescription !== undefined && inv.commandDescription !== marker) return false;
        const created = parseJdTime(inv.createTime);
        // An unreadable time does not exclude a hit: the marker holds our own unique run id.
        return created === null || (created >= window.after && created <= window.before);
      });
      if (hit?.invokeId) return hit.invokeId;
      if (invocations.length < 100 || page * 100 >= (out.totalCount ?? 0)) return null;
    }
    return null;
  }

  /**
   * stopInvocation (API 1.0.0; gone from the current Go/Python/PHP SDKs, still in Java/Node —
   * live availability not verified). Best effort, like SSM's CancelCommand.
   */
  async cancel(region: string, commandId: string, instanceIds: string[]): Promise<void> {
    await this.budget(region);
    try {
      await this.http.call(region, this.path(region, 'stopInvocation'), 'stopInvocation', { regionId: region, invokeId: commandId, instances: instanceIds }, { retry: true });
    } catch (err) {
      if (err instanceof JdcloudApiError && err.isUnsupportedOperation) {
        throw new ChannelError('stopInvocation is not available on this endpoint; the command runs to its timeout', 'CancelUnsupported', false, 'no');
      }
      throw this.translate(err, false, region);
    }
  }

  /**
   * Agent state from describeAssistants (API 1.0.0, the only agent-status call; status values
   * not documented). If the endpoint does not serve it, the VM status stands in: a running VM
   * is reported online with pingStatus `vm:running`, and an offline agent then shows up as an
   * `invalid`/`failed` invocation (read-only diagnose first, so nothing changes).
   */
  async instanceInfo(region: string, instanceIds: string[]): Promise<Map<string, InstanceInfo>> {
    const found = new Map<string, InstanceInfo>();
    for (let i = 0; i < instanceIds.length; i += 50) {
      const chunk = instanceIds.slice(i, i + 50);
      await this.budget(region);
      try {
        const out = await this.http.call<{ assistants?: JdAssistant[] }>(region, this.path(region, 'describeAssistants'), 'describeAssistants', {
          regionId: region,
          instances: chunk,
        }, { retry: true });
        for (const a of out.assistants ?? []) {
          if (!a.instanceId || !chunk.includes(a.instanceId)) continue;
          const status = String(a.status ?? '');
          found.set(a.instanceId, {
            instanceId: a.instanceId,
            online: ONLINE_AGENT_STATUSES.has(status.toLowerCase()),
            pingStatus: status || 'unknown',
            lastPing: parseJdTime(a.lastHeartBeat),
            platformName: a.osType ? `${a.osType}${a.osVersion ? ` ${a.osVersion}` : ''}` : null,
            platformVersion: a.osVersion ?? null,
          });
        }
      } catch (err) {
        if (!(err instanceof JdcloudApiError && err.isUnsupportedOperation)) throw this.translate(err, false, region);
        for (const vm of await this.vmFallback(region, chunk)) found.set(vm.instanceId, vm);
      }
    }
    return found;
  }

  private async vmFallback(region: string, ids: string[]): Promise<InstanceInfo[]> {
    await this.budget(region);
    try {
      const vms = await this.vm.describeInstances(region, ids);
      return vms
        .filter((v) => v.instanceId && ids.includes(v.instanceId))
        .map((v) => ({
          instanceId: v.instanceId as string,
          online: v.status === 'running',
          pingStatus: `vm:${v.status ?? 'unknown'}`,
          lastPing: null,
          platformName: v.osType ?? null,
          platformVersion: v.osVersion ?? null,
        }));
    } catch (err) {
      throw this.translate(err, false, region);
    }
  }

  /** Restart through the cloud (VM rebootInstance), for when the guest's own restart is refused. */
  async rebootInstance(region: string, instanceId: string): Promise<void> {
    await this.budget(region);
    try {
      await this.vm.rebootInstance(region, instanceId);
    } catch (err) {
      throw this.translate(err, true, region);
    }
  }

  private async invocation(region: string, invokeId: string): Promise<JdInvocation | null> {
    await this.budget(region);
    let out: JdDescribeInvocationsResult;
    try {
      out = await this.http.call<JdDescribeInvocationsResult>(region, this.path(region, 'describeInvocations'), 'describeInvocations', {
        regionId: region,
        invokeIds: [invokeId],
        pageNumber: 1,
        pageSize: 10,
      }, { retry: true });
    } catch (err) {
      throw this.translate(err, false, region);
    }
    const inv = (out.invocations ?? []).find((i) => i.invokeId === invokeId) ?? null;
    if (inv && TERMINAL_INVOCATION.has(String(inv.status ?? '').toLowerCase()) && inv.commandId) this.janitor.forget(region, inv.commandId);
    this.janitor.sweep(region);
    return inv;
  }

  private instanceResult(inv: JdInvocation, instanceId: string): InvocationResult | null {
    const row = (inv.invocationInstances ?? []).find((i) => i.instanceId === instanceId);
    if (!row) {
      if (!(inv.instances ?? []).includes(instanceId)) return null;
      const status = mapJdInvocationStatusWithoutInstance(inv.status);
      if (!isTerminalCommandStatus(status)) return null;
      return {
        status,
        providerStatus: String(inv.status),
        providerStatusDetails: inv.errorInfo ? String(inv.errorInfo).slice(0, 500) : null,
        exitCode: null,
        stdout: '',
        stderr: inv.errorInfo ?? '',
        truncated: false,
        startedAt: null,
        finishedAt: null,
      };
    }
    const exitCode = parseIntString(row.exitCode);
    const status = mapJdInstanceStatus(row.status, exitCode);
    const out = decodeJdOutput(row.output);
    const errorInfo = row.errorInfo ? String(row.errorInfo) : '';
    return {
      status,
      providerStatus: String(row.status ?? 'unknown'),
      providerStatusDetails: errorInfo ? errorInfo.slice(0, 500) : null,
      exitCode: isTerminalCommandStatus(status) ? exitCode : null,
      stdout: out.text,
      // Cloud Assistant has one output stream; its errorInfo is the closest thing to stderr.
      stderr: errorInfo,
      truncated: out.truncated,
      startedAt: parseJdTime(row.startTime),
      finishedAt: isTerminalCommandStatus(status) ? parseJdTime(row.endTime) : null,
    };
  }

  private async deleteCommands(region: string, ids: string[]): Promise<void> {
    await this.budget(region);
    // The janitor keeps its own error handling; a throttled delete slows every caller down all the same (onRateLimit).
    await this.http.call(region, this.path(region, 'deleteCommands'), 'deleteCommands', { regionId: region, commandIds: ids }, { retry: true });
  }

  /** Deletes every command whose delay has passed — or every known one with `ignoreDelay` (tests, shutdown). */
  flushDeletions(ignoreDelay = false): Promise<void> {
    return this.janitor.flush(ignoreDelay);
  }

  /** JD commands waiting to be deleted (tests and metrics). */
  pendingDeletions(): number {
    return this.janitor.pending();
  }

  /** Turns JD errors into the channel's error types (as SsmCommandChannel.translate does for SSM). */
  private translate(err: unknown, isSend: boolean, region: string): Error {
    if (err instanceof ChannelThrottledError || err instanceof ChannelError) return err;
    if (err instanceof JdcloudApiError) {
      // JD throttled us (429 RATE_LIMIT); the budget was told per attempt (onRateLimit).
      if (err.isRateLimit) return new ChannelThrottledError(err.message, 2000);
      if (err.code >= 400 && err.code < 500) {
        // The provider answered and refused (QUOTA_EXCEEDED included: never retried): nothing ran.
        return new ChannelError(err.message, err.status || String(err.code), false, 'no');
      }
      // 5xx: the request may or may not have been acted on.
      return new ChannelError(err.message, err.status || String(err.code), true, isSend ? 'unknown' : 'no');
    }
    const e = err as Error;
    return new ChannelError(`${e.name}: ${e.message}`, 'NetworkError', true, isSend ? 'unknown' : 'no');
  }

  async close(): Promise<void> {
    await this.janitor.idle();
    await this.http.close();
    await this.vm.close();
  }

  /** Same shape as SsmCommandChannel.destroy (ChannelModule shutdown): connections are dropped now. */
  destroy(): void {
    void Promise.all([this.http.destroy(), this.vm.destroy()]).catch(() => undefined);
  }
}
