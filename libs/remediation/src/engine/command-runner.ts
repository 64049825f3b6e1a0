import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelError, ChannelThrottledError, COMMAND_CHANNEL, CommandChannel } from '@rdpfix/channel';
import { isTerminalCommandStatus, Step } from '@rdpfix/domain';
import { CommandRunEntity, CommandRunRepository, RemediationEntity, TimelineRepository } from '@rdpfix/persistence';
import { parseScriptOutput, renderScript, scriptExecutionTimeoutS, ScriptName } from '@rdpfix/runbook';
import { ENGINE_METRICS, EngineMetricsSink } from './engine-metrics';
import { pollDelay } from './poll-delay';

export interface CommandSpec {
  step: Step;
  /** Stable name of what this command is for, e.g. `diagnose`, `apply:0:remove-rdsh-role`. */
  purpose: string;
  attempt: number;
  script: ScriptName;
  params?: Record<string, string | number>;
}

export type RunState = { done: false; waitMs: number } | { done: true; run: CommandRunEntity };

const STDOUT_KEEP = 4000;
const STDERR_KEEP = 2000;

/**
 * Requests, sends and polls one command for a remediation, never waiting in-process: each call
 * does one bounded piece of I/O and says when to come back. The command_runs row is written
 * before the send (`sending`) and after it (`pending` + command id), so a worker killed between
 * the two looks the command up by its comment instead of sending it again.
 */
@Injectable()
export class CommandRunner {
  private readonly log = new Logger(CommandRunner.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runs: CommandRunRepository,
    private readonly timeline: TimelineRepository,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
    @Optional() @Inject(ENGINE_METRICS) private readonly metrics?: EngineMetricsSink,
  ) {}

  async run(r: RemediationEntity, spec: CommandSpec): Promise<RunState> {
    let run = await this.runs.find(r.id, spec.purpose, spec.attempt);
    if (!run) run = await this.request(r, spec);
    switch (run.status) {
      case 'requested':
        return this.send(r, run);
      case 'sending':
        return this.recover(r, run);
      case 'pending':
      case 'running':
        return this.poll(r, run);
      default:
        return { done: true, run };
    }
  }

  private async request(r: RemediationEntity, spec: CommandSpec): Promise<CommandRunEntity> {
    const script = renderScript(spec.script, spec.params ?? {});
    const run = await this.runs.insertOrGet({
      remediationId: r.id,
      step: spec.step,
      purpose: spec.purpose,
      attempt: spec.attempt,
      scriptName: script.name,
      scriptVersion: script.version,
      scriptSha256: script.sha256,
      parameters: spec.params ?? {},
      channel: this.channel.name,
      instanceId: r.instanceId,
      region: r.region,
      status: 'requested',
    });
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_requested',
      step: spec.step,
      message: `requested ${script.name} v${script.version} (${spec.purpose}${spec.attempt > 1 ? ` attempt ${spec.attempt}` : ''})`,
      data: { commandRunId: run.id, script: script.name, version: script.version },
    });
    return run;
  }

  private async send(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    const sendingAt = new Date();
    if (!(await this.runs.transition(run.id, ['requested'], { status: 'sending', sendingAt }))) {
      return { done: false, waitMs: 100 }; // another worker took it; look again shortly
    }
    const script = renderScript(run.scriptName as ScriptName, run.parameters);
    // Per-script execution limit (remove-rdsh-role gets at least 1,800 s): libs/runbook timeouts.ts.
    const executionTimeoutS = scriptExecutionTimeoutS(run.scriptName, this.config.COMMAND_TIMEOUT_S);
    try {
      const { commandId } = await this.channel.send({
        region: r.region,
        instanceIds: [r.instanceId],
        scriptText: script.text,
        comment: commentFor(run.id),
        executionTimeoutS,
        deliveryTimeoutS: this.config.DELIVERY_TIMEOUT_S,
      });
      const now = new Date();
      await this.runs.transition(run.id, ['sending'], {
        status: 'pending',
        commandId,
        sentAt: now,
        timeoutAt: new Date(now.getTime() + (executionTimeoutS + this.config.DELIVERY_TIMEOUT_S + 60) * 1000),
      });
      await this.timeline.append({
        remediationId: r.id,
        type: 'command_sent',
        step: run.step,
        message: `sent ${run.scriptName} as command ${commandId}`,
        data: { commandRunId: run.id, commandId },
      });
      return { done: false, waitMs: this.config.POLL_INTERVAL_MS };
    } catch (err) {
      if (err instanceof ChannelThrottledError) {
        await this.runs.transition(run.id, ['sending'], { status: 'requested', sendingAt: null });
        return { done: false, waitMs: withJitter(err.retryAfterMs) };
      }
      if (err instanceof ChannelError && err.sent === 'no') {
        if (err.retryable) {
          await this.runs.transition(run.id, ['sending'], { status: 'requested', sendingAt: null });
          return { done: false, waitMs: withJitter(this.config.POLL_INTERVAL_MS) };
        }
        await this.runs.transition(run.id, ['sending'], { status: 'rejected', error: err.message.slice(0, 1000), finishedAt: new Date() });
        return { done: true, run: (await this.runs.findById(run.id))! };
      }
      // The send may have reached the provider: stay in `sending`; recover() looks it up.
      this.log.warn(`send of run ${run.id} has an unknown outcome: ${(err as Error).message}`);
      return { done: false, waitMs: this.config.SEND_LOOKUP_DELAY_MS };
    }
  }

  /** A run left in `sending` (crash or lost response): adopt the command if it arrived, else send again. */
  private async recover(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    const since = run.sendingAt ?? run.requestedAt;
    const age = Date.now() - since.getTime();
    if (age < this.config.SEND_LOOKUP_DELAY_MS) return { done: false, waitMs: this.config.SEND_LOOKUP_DELAY_MS - age };
    let commandId: string | null;
    try {
      commandId = await this.channel.findByComment(r.region, r.instanceId, commentFor(run.id), new Date(since.getTime() - 60_000));
    } catch (err) {
      return { done: false, waitMs: withJitter(err instanceof ChannelThrottledError ? err.retryAfterMs : this.config.POLL_INTERVAL_MS) };
    }
    if (commandId) {
      await this.runs.transition(run.id, ['sending'], {
        status: 'pending',
        commandId,
        sentAt: since,
        timeoutAt: new Date(since.getTime() + (scriptExecutionTimeoutS(run.scriptName, this.config.COMMAND_TIMEOUT_S) + this.config.DELIVERY_TIMEOUT_S + 60) * 1000),
      });
      await this.timeline.append({
        remediationId: r.id,
        type: 'command_recovered',
        step: run.step,
        message: `found ${run.scriptName} already sent as command ${commandId}; not sending it again`,
        data: { commandRunId: run.id, commandId },
      });
      return { done: false, waitMs: 0 };
    }
    await this.runs.transition(run.id, ['sending'], { status: 'requested', sendingAt: null });
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_not_found',
      step: run.step,
      message: `${run.scriptName} never reached the channel; sending it now`,
      data: { commandRunId: run.id },
    });
    return { done: false, waitMs: 0 };
  }

  private async poll(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    const now = new Date();
    let res;
    try {
      res = await this.channel.result(r.region, run.commandId!, r.instanceId);
    } catch (err) {
      if (err instanceof ChannelThrottledError) return { done: false, waitMs: withJitter(err.retryAfterMs) };
      if (err instanceof ChannelError && !err.retryable) {
        await this.runs.transition(run.id, ['pending', 'running'], { status: 'rejected', error: err.message.slice(0, 1000), finishedAt: now });
        this.metrics?.commandFinished(run.scriptName, 'rejected');
        return { done: true, run: (await this.runs.findById(run.id))! };
      }
      return { done: false, waitMs: pollDelay(run.pollCount, this.config.POLL_INTERVAL_MS, this.config.POLL_MAX_INTERVAL_MS) };
    }
    const overdue = run.timeoutAt !== null && now > run.timeoutAt;
    if (!res) {
      if (overdue) return this.abandon(r, run, 'undelivered', 'the invocation never became visible on the channel');
      await this.runs.update(run.id, { pollCount: run.pollCount + 1 });
      return { done: false, waitMs: pollDelay(run.pollCount, this.config.POLL_INTERVAL_MS, this.config.POLL_MAX_INTERVAL_MS) };
    }
    const patch: Partial<CommandRunEntity> = {
      status: res.status,
      providerStatus: res.providerStatus.slice(0, 32),
      providerStatusDetails: res.providerStatusDetails?.slice(0, 64) ?? null,
      exitCode: res.exitCode,
      pollCount: run.pollCount + 1,
      startedAt: res.startedAt ?? run.startedAt,
    };
    if (isTerminalCommandStatus(res.status)) {
      patch.finishedAt = res.finishedAt ?? now;
      patch.stdoutExcerpt = res.stdout.slice(-STDOUT_KEEP);
      patch.stderrExcerpt = res.stderr.slice(-STDERR_KEEP);
      patch.truncated = res.truncated;
      const parsed = parseScriptOutput(res.stdout, res.stderr);
      if (parsed.kind === 'ok') patch.result = parsed.result;
      else patch.error = `${parsed.code}: ${parsed.detail}`.slice(0, 1000);
      await this.runs.transition(run.id, ['pending', 'running'], patch);
      this.metrics?.commandFinished(run.scriptName, res.status);
      await this.timeline.append({
        remediationId: r.id,
        type: 'command_finished',
        step: run.step,
        message: `${run.scriptName} ended ${res.status} (${res.providerStatus}${res.providerStatusDetails ? `/${res.providerStatusDetails}` : ''}, exit ${res.exitCode ?? '-'})`,
        data: { commandRunId: run.id, commandId: run.commandId, status: res.status, exitCode: res.exitCode },
      });
      return { done: true, run: (await this.runs.findById(run.id))! };
    }
    if (overdue) return this.abandon(r, run, 'timed_out', 'the command outlived its deadline');
    await this.runs.transition(run.id, ['pending', 'running'], patch);
    return { done: false, waitMs: pollDelay(run.pollCount, this.config.POLL_INTERVAL_MS, this.config.POLL_MAX_INTERVAL_MS) };
  }

  /** Our own deadline passed: cancel at the provider (best effort) and close the run. */
  private async abandon(r: RemediationEntity, run: CommandRunEntity, status: 'timed_out' | 'undelivered', why: string): Promise<RunState> {
    try {
      await this.channel.cancel(r.region, run.commandId!, [r.instanceId]);
    } catch (err) {
      this.log.warn(`cancel of ${run.commandId} failed: ${(err as Error).message}`);
    }
    await this.runs.transition(run.id, ['pending', 'running'], { status, error: why, finishedAt: new Date() });
    this.metrics?.commandFinished(run.scriptName, status);
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_abandoned',
      step: run.step,
      message: `${run.scriptName}: ${why}; cancelled`,
      data: { commandRunId: run.id, commandId: run.commandId, status },
    });
    return { done: true, run: (await this.runs.findById(run.id))! };
  }

  /** True once a command for this purpose may have reached the channel. */
  async hasStarted(r: RemediationEntity, purpose: string, attempt: number): Promise<boolean> {
    const run = await this.runs.find(r.id, purpose, attempt);
    return !!run && run.status !== 'requested';
  }

  /** Best-effort cancel of a read-only command still in flight (used when a remediation is cancelled). */
  async cancelInFlight(r: RemediationEntity, purpose: string, attempt: number): Promise<void> {
    const run = await this.runs.find(r.id, purpose, attempt);
    if (!run || !run.commandId || isTerminalCommandStatus(run.status as never)) return;
    try {
      await this.channel.cancel(r.region, run.commandId, [r.instanceId]);
    } catch {
      /* best effort */
    }
  }
}

/** Our correlation token, stored with the command by the provider (SSM Comment, ≤100 chars). */
export function commentFor(commandRunId: string): string {
  return `rdpfix:${commandRunId}`;
}

function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
