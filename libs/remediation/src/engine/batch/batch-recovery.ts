import { AppConfig } from '@rdpfix/config';
import { ChannelThrottledError, CommandChannel, withBudgetPriority } from '@rdpfix/channel';
import { CHANGING_SCRIPTS, ScriptName } from '@rdpfix/runbook';
import { commandDeadlineS } from '../send/command-sender';
import { lookupWindow, nextLookupInMs } from '../send/lookup-plan';
import { markerFor } from '../send/marker';
import { withJitter } from '../send/run-state';
import { BatchStore } from './batch-store';
import type { BatchPokes } from './batch-pokes';

/**
 * A batch left in `sending` (its answer lost, or its dispatcher died): look the command up by
 * the batch's marker, repeatedly, in a window from stored times (PostgreSQL's clock), until the
 * batch's `lookup_until` — the same rules as a single run (docs/at-most-once.md). Found → every
 * run adopts the command. Not found in time → a changing script's runs end
 * `send_outcome_unknown` and are NEVER sent again; a read-only script's runs are requested again.
 * Returns when to look again (null: done).
 */
export class BatchRecovery {
  constructor(
    private readonly config: AppConfig,
    private readonly store: BatchStore,
    private readonly channel: CommandChannel,
    private readonly pokes: BatchPokes,
  ) {}

  async recover(batchId: string): Promise<number | null> {
    const b = await this.store.batch(batchId, { anyInstance: true });
    if (!b || b.status !== 'sending') return null;
    const now = new Date(b.db_now).getTime();
    const since = new Date(b.sending_at).getTime();
    if (now - since < this.config.SEND_LOOKUP_DELAY_MS) return this.config.SEND_LOOKUP_DELAY_MS - (now - since);
    const until = b.lookup_until ? new Date(b.lookup_until).getTime() : since;
    const pastBound = now >= until;
    let commandId: string | null = null;
    let lookupFailed: string | null = null;
    try {
      const window = lookupWindow({ sendingAt: new Date(b.sending_at), requestedAt: new Date(b.sending_at), sendUnknownAt: b.send_unknown_at ? new Date(b.send_unknown_at) : null }, new Date(now));
      // The command targets every instance of the batch: any one of them narrows the listing.
      const instanceId = b.any_instance_id ?? undefined;
      commandId = await withBudgetPriority('read', () => this.channel.findByMarker(b.region, markerFor(b.id), { ...window, instanceId }));
    } catch (err) {
      lookupFailed = (err as Error).message;
      if (!pastBound) return withJitter(err instanceof ChannelThrottledError ? err.retryAfterMs : this.config.POLL_INTERVAL_MS);
    }
    if (commandId) {
      if (await this.store.markSent(b, commandId, commandDeadlineS(b.script_name, this.config), 'sending')) await this.pokes.collect(b.id, 0);
      return null;
    }
    if (!pastBound) {
      await this.store.countLookup(b);
      return nextLookupInMs(this.config, until - now);
    }
    const boundS = Math.round((until - since) / 1000);
    if (!CHANGING_SCRIPTS.has(b.script_name as ScriptName)) {
      // Read-only: sending it again is harmless.
      await this.store.closeSend(b, 'unsent', `${b.script_name} (read-only) was not found by its marker in ${boundS} s; requested again`);
      await this.pokes.dispatch(b.region, 0);
      return null;
    }
    const why =
      `rdpfix cannot tell whether ${b.script_name} reached the server: the answer to the send of batch ${b.id} was lost` +
      (lookupFailed ? ` and the last lookup failed (${lookupFailed.slice(0, 200)})` : '') +
      `, and the command did not appear in the channel's listing under its marker ${markerFor(b.id)} within ${boundS} s (${b.lookup_count + 1} lookup(s)). ` +
      'It was not sent again: it may still have run, or may yet run. Check the server (a diagnosis shows its current state) before trying again.';
    const closed = await this.store.closeSend(b, 'send_outcome_unknown', why);
    for (const r of closed ?? []) await this.pokes.wake(r.remediation_id);
    return null;
  }
}
