import { Logger } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelError, ChannelThrottledError, CommandChannel } from '@rdpfix/channel';
import { CommandRunEntity, CommandRunRepository, RemediationEntity, TimelineRepository } from '@rdpfix/persistence';
import { CHANGING_SCRIPTS, renderScript, scriptExecutionTimeoutS, ScriptName } from '@rdpfix/runbook';
import { lookupBoundS } from './lookup-plan';
import { markerFor } from './marker';
import { LOST_TRANSITION_WAIT_MS, RunState, withJitter } from './run-state';

/** Seconds a sent command may take from the send to its end: delivery + execution + margin. */
export function commandDeadlineS(scriptName: string, config: AppConfig): number {
  return scriptExecutionTimeoutS(scriptName, config.COMMAND_TIMEOUT_S) + config.DELIVERY_TIMEOUT_S + 60;
}

/**
 * The one place a command leaves for the channel (docs/at-most-once.md):
 * 1. take the send's share of the call budget (may throttle; the run is still `requested`);
 * 2. claim the run, `requested -> sending`, which returns a new send epoch (the fencing token);
 * 3. send once, with the run's marker; the SDK never retries a send;
 * 4. record the outcome with a compare-and-set on (sending, epoch): `pending` + command id; back
 *    to `requested` only when the send provably did not reach the channel; `rejected`; or, when
 *    the outcome is unknown, stay `sending` for SendRecovery to look it up.
 * A lost compare-and-set is never ignored: the runner records what it knows and stops.
 */
export class CommandSender {
  private readonly log = new Logger(CommandSender.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runs: CommandRunRepository,
    private readonly timeline: TimelineRepository,
    private readonly channel: CommandChannel,
  ) {}

  async send(r: RemediationEntity, run: CommandRunEntity): Promise<RunState> {
    // Budget first: a runner waiting on the budget (or on Redis) holds nothing open.
    try {
      await this.channel.reserveSend(r.region);
    } catch (err) {
      if (err instanceof ChannelThrottledError) return { done: false, waitMs: withJitter(err.retryAfterMs) };
      throw err;
    }
    const changing = CHANGING_SCRIPTS.has(run.scriptName as ScriptName);
    const claim = await this.runs.beginSend(run.id, lookupBoundS(changing, this.config));
    if (!claim) return { done: false, waitMs: LOST_TRANSITION_WAIT_MS }; // another runner claimed it
    const { epoch } = claim;
    const script = renderScript(run.scriptName as ScriptName, run.parameters);
    // Per-script execution limit (remove-rdsh-role gets at least 1,800 s): libs/runbook timeouts.ts.
    const executionTimeoutS = scriptExecutionTimeoutS(run.scriptName, this.config.COMMAND_TIMEOUT_S);
    let commandId: string;
    try {
      ({ commandId } = await this.channel.send({
        region: r.region,
        instanceIds: [r.instanceId],
        scriptText: script.text,
        marker: markerFor(run.id),
        executionTimeoutS,
        deliveryTimeoutS: this.config.DELIVERY_TIMEOUT_S,
        budgetReserved: true,
      }));
    } catch (err) {
      return this.failed(r, run, epoch, err);
    }
    if (!(await this.runs.markSent(run.id, epoch, commandId, commandDeadlineS(run.scriptName, this.config), 'now'))) {
      return this.lostAfterSend(r, run, epoch, commandId);
    }
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_sent',
      step: run.step,
      message: `sent ${run.scriptName} as command ${commandId}`,
      data: { commandRunId: run.id, commandId, epoch },
    });
    return { done: false, waitMs: this.config.POLL_INTERVAL_MS };
  }

  private async failed(r: RemediationEntity, run: CommandRunEntity, epoch: number, err: unknown): Promise<RunState> {
    // Throttled by the provider (the SDK does not retry a send): it refused before running anything.
    const notSent = err instanceof ChannelThrottledError || (err instanceof ChannelError && err.sent === 'no');
    if (notSent && !(err instanceof ChannelError && !err.retryable)) {
      if (!(await this.runs.resetUnsent(run.id, epoch))) return this.lost(run, epoch, 'reset to requested');
      const wait = err instanceof ChannelThrottledError ? err.retryAfterMs : this.config.POLL_INTERVAL_MS;
      return { done: false, waitMs: withJitter(wait) };
    }
    if (notSent) {
      const msg = (err as Error).message;
      if (!(await this.runs.closeSend(run.id, epoch, 'rejected', msg))) return this.lost(run, epoch, 'rejected');
      return { done: true, run: (await this.runs.findById(run.id))! };
    }
    // The send may have reached the provider: stay `sending`; SendRecovery looks it up by marker.
    const why = (err as Error).message ?? String(err);
    this.log.warn(`send of run ${run.id} has an unknown outcome: ${why}`);
    if (!(await this.runs.markSendUnknown(run.id, epoch))) return this.lost(run, epoch, 'note the unknown outcome');
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_send_unknown',
      step: run.step,
      message: `the answer to the send of ${run.scriptName} was lost (${why.slice(0, 200)}); looking it up by its marker ${markerFor(run.id)} instead of sending it again`,
      data: { commandRunId: run.id, epoch },
    });
    return { done: false, waitMs: this.config.SEND_LOOKUP_DELAY_MS };
  }

  /** Sent, but the run is no longer ours: keep the command id in the timeline, then stop. */
  private async lostAfterSend(r: RemediationEntity, run: CommandRunEntity, epoch: number, commandId: string): Promise<RunState> {
    const now = await this.runs.findById(run.id);
    if (now?.commandId === commandId) return { done: false, waitMs: LOST_TRANSITION_WAIT_MS }; // a recovering runner adopted it
    this.log.error(`run ${run.id}: sent as ${commandId} under epoch ${epoch}, but the run is now ${now?.status}/${now?.sendEpoch}`);
    await this.timeline.append({
      remediationId: r.id,
      type: 'command_send_fenced',
      step: run.step,
      message: `${run.scriptName} was sent as command ${commandId}, but the run had meanwhile moved to ${now?.status ?? 'unknown'}; this runner stopped`,
      data: { commandRunId: run.id, commandId, epoch, status: now?.status ?? null },
    });
    return { done: false, waitMs: LOST_TRANSITION_WAIT_MS };
  }

  private lost(run: CommandRunEntity, epoch: number, what: string): RunState {
    this.log.warn(`run ${run.id}: lost the transition "${what}" (epoch ${epoch}); stopping`);
    return { done: false, waitMs: LOST_TRANSITION_WAIT_MS };
  }
}
