import { randomUUID } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { COMMAND_CHANNEL, CommandChannel } from '@rdpfix/channel';
import { CommandRunEntity, CommandRunRepository, RemediationEntity } from '@rdpfix/persistence';
import { CHANGING_SCRIPTS, renderScript } from '@rdpfix/runbook';
import type { CommandSpec } from '../command-runner';
import type { RunState } from '../send/run-state';
import { requestRow } from '../send/request-row';
import { BATCH_RUN_ID_PLACEHOLDER, batchKeyOf } from './batch-key';
import { BatchWorkerService } from './batch-worker.service';

/**
 * The remediation's side of the batched path: it REQUESTS a command (a `requested` run with its
 * group key) and pokes the region's dispatcher; the dispatcher sends, the collector reads the
 * results and wakes it. Meanwhile its job sleeps in the delayed set (BATCH_SAFETY_WAKE_MS is only
 * the bound if a wake-up is lost; each such wake pokes the batch's job again, so a lost Redis
 * job heals itself). Only campaign work takes this path: a single fix is sent at once.
 */
@Injectable()
export class BatchedRuns {
  constructor(
    private readonly config: AppConfig,
    private readonly runs: CommandRunRepository,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
    private readonly pokes: BatchWorkerService,
  ) {}

  handles(r: RemediationEntity): boolean {
    return this.config.BATCH_ENABLED && r.source === 'campaign' && this.channel.maxInstancesPerSend > 1;
  }

  /** The request row: parameters without any per-run data, and the group key. */
  async request(r: RemediationEntity, spec: CommandSpec): Promise<CommandRunEntity> {
    const params = spec.params ?? {};
    const changing = CHANGING_SCRIPTS.has(spec.script);
    const script = renderScript(spec.script, changing ? { ...params, runId: BATCH_RUN_ID_PLACEHOLDER } : params);
    return this.runs.request(
      { id: randomUUID(), ...requestRow(r, spec, script, params, this.channel.name), batchKey: batchKeyOf(script.name, script.version, params) },
      {
        message: `requested ${script.name} v${script.version} (${spec.purpose}; batched with identical requests)`,
        data: { script: script.name, version: script.version, batched: true },
      },
    );
  }

  isBatched(run: CommandRunEntity): boolean {
    return run.batchKey !== null || run.batchId !== null;
  }

  /** Where a batched run stands; never sends or polls itself. */
  async onRun(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    const wait: RunState = { done: false, waitMs: this.config.BATCH_SAFETY_WAKE_MS };
    switch (run.status) {
      case 'requested':
        await this.pokes.dispatch(r.region);
        return wait;
      case 'sending':
        if (run.batchId) await this.pokes.recover(run.batchId);
        return wait;
      case 'pending':
      case 'running':
        if (run.batchId) await this.pokes.collect(run.batchId);
        return wait;
      default:
        return { done: true, run };
    }
  }
}
