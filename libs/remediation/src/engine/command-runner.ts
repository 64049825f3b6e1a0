import { randomUUID } from 'crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelError, ChannelThrottledError, COMMAND_CHANNEL, CommandChannel } from '@rdpfix/channel';
import { isTerminalCommandStatus, Step } from '@rdpfix/domain';
import { CommandRunEntity, CommandRunRepository, RemediationEntity, TimelineRepository } from '@rdpfix/persistence';
import { CHANGING_SCRIPTS, parseScriptOutput, renderScript, ScriptName } from '@rdpfix/runbook';
import { ENGINE_METRICS, EngineMetricsSink } from './engine-metrics';
import { pollDelay } from './poll-delay';
import { CommandSender } from './send/command-sender';
import { RunState, withJitter } from './send/run-state';
import { SendRecovery } from './send/send-recovery';
import { requestRow } from './send/request-row';
import { BatchedRuns } from './batch/batched-runs';
import { KnownRuns } from './known-runs';

export { markerFor } from './send/marker';
export type { RunState } from './send/run-state';

export interface CommandSpec {
  step: Step;
  /** Stable name of what this command is for, e.g. `diagnose`, `apply:0:remove-rdsh-role`. */
  purpose: string;
  attempt: number;
  script: ScriptName;
  params?: Record<string, string | number>;
}

const STDOUT_KEEP = 4000;
const STDERR_KEEP = 2000;

/**
 * Requests, sends and polls one command for a remediation, never waiting in-process: each call
 * does one bounded piece of I/O and says when to come back. Sending is at most once per run
 * (send/command-sender.ts, send/send-recovery.ts, docs/at-most-once.md): the row is claimed
 * (`sending`, a new epoch) before the send and moved on with a compare-and-set on that epoch
 * after it; a send whose outcome is unknown is looked up by its marker, never guessed unsent.
 */
@Injectable()
export class CommandRunner {
  private readonly log = new Logger(CommandRunner.name);
  private readonly sender: CommandSender;
  private readonly recovery: SendRecovery;

  constructor(
    private readonly config: AppConfig,
    private readonly runs: CommandRunRepository,
    private readonly timeline: TimelineRepository,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
    private readonly batched: BatchedRuns,
    private readonly known: KnownRuns,
    @Optional() @Inject(ENGINE_METRICS) private readonly metrics?: EngineMetricsSink,
  ) {
    this.sender = new CommandSender(config, runs, timeline, channel);
    this.recovery = new SendRecovery(config, runs, timeline, channel);
  }

  async run(r: RemediationEntity, spec: CommandSpec): Promise<RunState> {
    const state = await this.runOnce(r, spec);
    // The run as it ended, for a later step of the same job (known-runs.ts).
    if (state.done) this.known.remember(r, state.run);
    return state;
  }

  private async runOnce(r: RemediationEntity, spec: CommandSpec): Promise<RunState> {
    const known = this.known.get(r, spec.purpose, spec.attempt);
    let run = known === undefined ? await this.runs.find(r.id, spec.purpose, spec.attempt) : known;
    // Campaign work takes the batched path (batch/batched-runs.ts); a single fix is sent at once.
    if (!run) run = this.batched.handles(r) ? await this.batched.request(r, spec) : await this.request(r, spec);
    if (this.batched.isBatched(run)) return this.batched.onRun(r, run);
    switch (run.status) {
      case 'requested':
        return this.sender.send(r, run);
      case 'sending':
        return this.recovery.recover(r, run);
      case 'pending':
      case 'running':
        return this.poll(r, run);
      default:
        return { done: true, run };
    }
  }

  private async request(r: RemediationEntity, spec: CommandSpec): Promise<CommandRunEntity> {
    // The run id is chosen here so that a changing script carries it: the script refuses to act
    // twice for one run id (second line of defence, docs/at-most-once.md).
    const id = randomUUID();
    const params = CHANGING_SCRIPTS.has(spec.script) ? { ...(spec.params ?? {}), runId: id } : (spec.params ?? {});
    const script = renderScript(spec.script, params);
    return this.runs.request(
      { id, ...requestRow(r, spec, script, params, this.channel.name) },
      {
        message: `requested ${script.name} v${script.version} (${spec.purpose}${spec.attempt > 1 ? ` attempt ${spec.attempt}` : ''})`,
        data: { script: script.name, version: script.version },
      },
    );
  }

  private async poll(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    const now = await this.runs.dbNow();
    let res;
    try {
      res = await this.channel.result(r.region, run.commandId!, r.instanceId);
    } catch (err) {
      if (err instanceof ChannelThrottledError) return { done: false, waitMs: withJitter(err.retryAfterMs) };
      if (err instanceof ChannelError && !err.retryable) {
        await this.runs.transition(run.id, ['pending', 'running'], { status: 'rejected', error: err.message.slice(0, 1000), finishedAt: now }, run.sendEpoch);
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
      if (!(await this.runs.transition(run.id, ['pending', 'running'], patch, run.sendEpoch))) return { done: false, waitMs: 0 };
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
    await this.runs.transition(run.id, ['pending', 'running'], patch, run.sendEpoch);
    return { done: false, waitMs: pollDelay(run.pollCount, this.config.POLL_INTERVAL_MS, this.config.POLL_MAX_INTERVAL_MS) };
  }

  /** Our own deadline passed: cancel at the provider (best effort) and close the run. */
  private async abandon(r: RemediationEntity, run: CommandRunEntity, status: 'timed_out' | 'undelivered', why: string): Promise<RunState> {
    try {
      await this.channel.cancel(r.region, run.commandId!, [r.instanceId]);
    } catch (err) {
      this.log.warn(`cancel of ${run.commandId} failed: ${(err as Error).message}`);
    }
    await this.runs.transition(run.id, ['pending', 'running'], { status, error: why, finishedAt: await this.runs.dbNow() }, run.sendEpoch);
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

  /**
   * Lifecycle hook (engine/lifecycle/remediation-ending.ts): drive a run that may already be on
   * the channel to its end, never sending it. A run still `requested` comes back as it is.
   */
  async settle(r: RemediationEntity, runId: string): Promise<RunState> {
    const run = await this.runs.findById(runId);
    if (!run || run.status === 'requested') return { done: true, run: run! };
    if (run.status === 'sending' && this.batched.isBatched(run)) return this.batched.onRun(r, run);
    if (run.status === 'sending') return this.recovery.recover(r, run);
    if (run.status === 'pending' || run.status === 'running') return this.poll(r, run);
    return { done: true, run };
  }

  /** True once a command for this purpose may have reached the channel. */
  async hasStarted(r: RemediationEntity, purpose: string, attempt: number): Promise<boolean> {
    const run = await this.runs.find(r.id, purpose, attempt);
    return !!run && run.status !== 'requested';
  }

  /** Best-effort cancel of a read-only command still in flight (used when a remediation is cancelled). */
  async cancelInFlight(r: RemediationEntity, purpose: string, attempt: number): Promise<void> {
    const run = await this.runs.find(r.id, purpose, attempt);
    if (!run || !run.commandId || run.status === 'send_outcome_unknown' || isTerminalCommandStatus(run.status as never)) return;
    try {
      await this.channel.cancel(r.region, run.commandId, [r.instanceId]);
    } catch {
      /* best effort */
    }
  }
}
