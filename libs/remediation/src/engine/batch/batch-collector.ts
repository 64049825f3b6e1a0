import { Logger } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelThrottledError, CommandChannel, InvocationResult, withBudgetPriority } from '@rdpfix/channel';
import { isTerminalCommandStatus } from '@rdpfix/domain';
import { parseScriptOutput } from '@rdpfix/runbook';
import { pollDelay } from '../poll-delay';
import { withJitter } from '../send/run-state';
import { BatchStore, RunPatch, TimelineRow } from './batch-store';
import { CompletionEstimates } from './completion-estimates';
import type { BatchPokes } from './batch-pokes';

const STDOUT_KEEP = 4000;
const STDERR_KEEP = 2000;

/**
 * Reads a batch's results per command (SSM ListCommandInvocations with details, paginated; JD
 * Cloud describeInvocations), records every run that moved in one statement, and wakes exactly
 * the remediations whose command ended. No remediation polls for itself on the batched path.
 * A truncated listing output (SSM keeps 2,500 characters there) is read again per instance
 * (GetCommandInvocation, 24,000). Runs past their deadline are cancelled at the provider in one
 * call and closed. Returns when to read again (null: every run of the batch has ended).
 */
export class BatchCollector {
  private readonly log = new Logger(BatchCollector.name);

  constructor(
    private readonly config: AppConfig,
    private readonly store: BatchStore,
    private readonly channel: CommandChannel,
    private readonly pokes: BatchPokes,
    private readonly estimates: CompletionEstimates,
  ) {}

  async collect(batchId: string): Promise<number | null> {
    const b = await this.store.batch(batchId);
    if (!b || b.status !== 'sent' || !b.command_id) return null;
    const open = await this.store.openRuns(b.id);
    if (!open.length) {
      await this.store.closeBatch(b.id);
      return null;
    }
    const again = () => pollDelay(b.collect_count, this.config.POLL_INTERVAL_MS, this.config.POLL_MAX_INTERVAL_MS);
    let results: Map<string, InvocationResult>;
    try {
      results = await withBudgetPriority('read', () => this.channel.results(b.region, b.command_id!));
    } catch (err) {
      if (err instanceof ChannelThrottledError) return withJitter(err.retryAfterMs);
      this.log.warn(`batch ${b.id}: reading results failed (${(err as Error).message}); again later`);
      return again();
    }
    const now = new Date(b.db_now).getTime();
    const patches: RunPatch[] = [];
    const events: TimelineRow[] = [];
    const overdue: typeof open = [];
    for (const run of open) {
      let res = results.get(run.instance_id) ?? null;
      const late = run.timeout_at !== null && now > new Date(run.timeout_at).getTime();
      if (!res || !isTerminalCommandStatus(res.status)) {
        if (late) overdue.push(run);
        else if (res && res.status !== run.status) patches.push(patchOf(run, res, false));
        continue;
      }
      if (res.truncated) {
        // The listing cut the output: read this instance's full output once (24,000 characters).
        try {
          res = (await withBudgetPriority('read', () => this.channel.result(b.region, b.command_id!, run.instance_id))) ?? res;
        } catch (err) {
          if (err instanceof ChannelThrottledError) return withJitter(err.retryAfterMs);
        }
      }
      patches.push(patchOf(run, res, true));
      if (res.finishedAt && b.sent_at) this.estimates.record(b.region, b.script_name, res.finishedAt.getTime() - new Date(b.sent_at).getTime());
      events.push({
        remediation_id: run.remediation_id,
        type: 'command_finished',
        step: run.step,
        message: `${run.script_name} ended ${res.status} (${res.providerStatus}${res.providerStatusDetails ? `/${res.providerStatusDetails}` : ''}, exit ${res.exitCode ?? '-'})`,
        data: { commandRunId: run.id, commandId: b.command_id, batchId: b.id, status: res.status, exitCode: res.exitCode },
      });
    }
    if (overdue.length) {
      try {
        await withBudgetPriority('read', () => this.channel.cancel(b.region, b.command_id!, overdue.map((r) => r.instance_id)));
      } catch (err) {
        this.log.warn(`cancel of ${b.command_id} failed: ${(err as Error).message}`);
      }
      for (const run of overdue) {
        const status = run.status === 'running' || run.started_at ? 'timed_out' : 'undelivered';
        const why = status === 'timed_out' ? 'the command outlived its deadline' : 'the invocation never became visible or never started on the channel';
        patches.push({ ...emptyPatch(run), status, provider_status: status, error: why, terminal: true });
        events.push({ remediation_id: run.remediation_id, type: 'command_abandoned', step: run.step, message: `${run.script_name}: ${why}; cancelled`, data: { commandRunId: run.id, commandId: b.command_id, batchId: b.id, status } });
      }
    }
    const moved = await this.store.applyResults(b.id, patches, events);
    await this.store.countCollect(b.id);
    const ended = patches.filter((p) => p.terminal && moved.has(p.id));
    const byId = new Map(open.map((r) => [r.id, r]));
    // Close before waking: a remediation that finishes never leaves its batch looking open.
    // A poke lost after the close is recovered by the remediation's safety wake.
    const allEnded = ended.length === open.length;
    if (allEnded) await this.store.closeBatch(b.id);
    await this.pokes.ended(ended.map((p) => byId.get(p.id)!.remediation_id));
    return allEnded ? null : again();
  }
}

function emptyPatch(run: { id: string; send_epoch: number }): RunPatch {
  return {
    id: run.id,
    epoch: run.send_epoch,
    status: 'pending',
    provider_status: '',
    provider_status_details: null,
    exit_code: null,
    started_at: null,
    finished_at: null,
    stdout: null,
    stderr: null,
    truncated: false,
    result: null,
    error: null,
    terminal: false,
  };
}

function patchOf(run: { id: string; send_epoch: number }, res: InvocationResult, terminal: boolean): RunPatch {
  const p: RunPatch = {
    ...emptyPatch(run),
    status: res.status,
    provider_status: res.providerStatus.slice(0, 32),
    provider_status_details: res.providerStatusDetails?.slice(0, 64) ?? null,
    exit_code: res.exitCode,
    started_at: res.startedAt?.toISOString() ?? null,
    finished_at: res.finishedAt?.toISOString() ?? null,
    terminal,
  };
  if (terminal) {
    p.stdout = res.stdout.slice(-STDOUT_KEEP);
    p.stderr = res.stderr.slice(-STDERR_KEEP);
    p.truncated = res.truncated;
    const parsed = parseScriptOutput(res.stdout, res.stderr);
    if (parsed.kind === 'ok') p.result = parsed.result;
    else p.error = `${parsed.code}: ${parsed.detail}`.slice(0, 1000);
  }
  return p;
}
