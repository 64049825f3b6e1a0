import { Logger } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelThrottledError, CommandChannel } from '@rdpfix/channel';
import { CommandRunEntity, CommandRunRepository, RemediationEntity, TimelineRepository } from '@rdpfix/persistence';
import { CHANGING_SCRIPTS, ScriptName } from '@rdpfix/runbook';
import { commandDeadlineS } from './command-sender';
import { lookupWindow, nextLookupInMs } from './lookup-plan';
import { markerFor } from './marker';
import { LOST_TRANSITION_WAIT_MS, RunState, withJitter } from './run-state';

/**
 * A run left in `sending` (a lost answer, a crash, a lock that expired): its send may or may not
 * have reached the channel. Look the command up by marker, repeatedly, in a window derived from
 * stored times, until the run's `lookup_until` (PostgreSQL's clock). Found → adopt it. Still not
 * found → a changing command ends `send_outcome_unknown` and is NEVER sent again ("not visible"
 * is not "not sent"); a read-only one may be sent again, and that is recorded.
 * Every write compares the run's epoch, read with the row: a stale runner changes nothing.
 */
export class SendRecovery {
  private readonly log = new Logger(SendRecovery.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runs: CommandRunRepository,
    private readonly timeline: TimelineRepository,
    private readonly channel: CommandChannel,
  ) {}

  async recover(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    const dbNow = await this.runs.dbNow();
    const since = run.sendingAt ?? run.requestedAt;
    const age = dbNow.getTime() - since.getTime();
    if (age < this.config.SEND_LOOKUP_DELAY_MS) return { done: false, waitMs: this.config.SEND_LOOKUP_DELAY_MS - age };
    const epoch = run.sendEpoch;
    const until = run.lookupUntil ?? since;
    const pastBound = dbNow.getTime() >= until.getTime();
    let commandId: string | null = null;
    let lookupFailed: string | null = null;
    try {
      commandId = await this.channel.findByMarker(r.region, markerFor(run.id), { ...lookupWindow(run, dbNow), instanceId: run.instanceId });
    } catch (err) {
      lookupFailed = (err as Error).message;
      if (!pastBound) return { done: false, waitMs: withJitter(err instanceof ChannelThrottledError ? err.retryAfterMs : this.config.POLL_INTERVAL_MS) };
    }
    if (commandId) return this.adopt(r, run, epoch, commandId);
    if (!pastBound) {
      await this.runs.countLookup(run.id, epoch);
      return { done: false, waitMs: nextLookupInMs(this.config, until.getTime() - dbNow.getTime()) };
    }
    const lookups = run.lookupCount + 1;
    const boundS = Math.round((until.getTime() - since.getTime()) / 1000);
    if (!CHANGING_SCRIPTS.has(run.scriptName as ScriptName)) {
      // Read-only: sending it again is harmless, but say so.
      if (!(await this.runs.resetUnsent(run.id, epoch))) return this.lost(run, 'reset a read-only run');
      await this.timeline.append({
        remediationId: r.id,
        type: 'command_resent',
        step: run.step,
        message: `${run.scriptName} (read-only) was not found by its marker after ${lookups} lookup(s) in ${boundS} s; sending it again`,
        data: { commandRunId: run.id, epoch, lookups },
      });
      return { done: false, waitMs: 0 };
    }
    const why =
      `rdpfix cannot tell whether ${run.scriptName} reached the server: the answer to its send was lost` +
      (lookupFailed ? ` and the last lookup failed (${lookupFailed.slice(0, 200)})` : '') +
      `, and the command did not appear in the channel's listing under its marker ${markerFor(run.id)} within ${boundS} s (${lookups} lookup(s)). ` +
      'It was not sent again: it may still have run, or may yet run. Check the server (a diagnosis shows its current state) before trying again.';
    if (!(await this.runs.closeSend(run.id, epoch, 'send_outcome_unknown', why))) return this.lost(run, 'send_outcome_unknown');
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_send_outcome_unknown',
      step: run.step,
      message: why,
      data: { commandRunId: run.id, epoch, lookups },
    });
    return { done: true, run: (await this.runs.findById(run.id))! };
  }

  private async adopt(r: RemediationEntity, run: CommandRunEntity, epoch: number, commandId: string): Promise<RunState> {
    if (!(await this.runs.markSent(run.id, epoch, commandId, commandDeadlineS(run.scriptName, this.config), 'sending'))) {
      return this.lost(run, 'adopt the command found by marker');
    }
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_recovered',
      step: run.step,
      message: `found ${run.scriptName} already sent as command ${commandId}; not sending it again`,
      data: { commandRunId: run.id, commandId, epoch },
    });
    return { done: false, waitMs: 0 };
  }

  private lost(run: CommandRunEntity, what: string): RunState {
    this.log.warn(`run ${run.id}: lost the transition "${what}" (epoch ${run.sendEpoch}); stopping`);
    return { done: false, waitMs: LOST_TRANSITION_WAIT_MS };
  }
}
