import { Logger } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelError, ChannelThrottledError, CommandChannel, withBudgetPriority } from '@rdpfix/channel';
import { CHANGING_SCRIPTS, renderScript, scriptExecutionTimeoutS, ScriptName } from '@rdpfix/runbook';
import { commandDeadlineS } from '../send/command-sender';
import { lookupBoundS } from '../send/lookup-plan';
import { markerFor } from '../send/marker';
import { withJitter } from '../send/run-state';
import { splitKey } from './batch-key';
import { batchParams, MissingBootTimeError } from './batch-params';
import { ClaimFloors, NO_FLOOR } from './claim-floors';
import { CompletionEstimates } from './completion-estimates';
import { BatchRow, BatchStore, ClaimedRun, GroupInfo } from './batch-store';
import type { BatchPokes } from './batch-pokes';

/** What a dispatch round decided: come back after `againInMs` (null: nothing left to do). */
export interface DispatchResult {
  againInMs: number | null;
  sends: number;
}

/** Most batches one dispatch job sends before yielding its slot. */
const MAX_SENDS_PER_JOB = 40;

/**
 * The per-region dispatcher of the batched path (docs/batching.md). It combines requested runs
 * with the same script and parameters into one send of up to 50 instances, at most once:
 * 1. choose a group that is full, or whose requests stopped arriving (BATCH_LINGER_MS), or whose
 *    oldest request waited BATCH_MAX_LINGER_MS (a bounded linger; single fixes never come here);
 * 2. take the send's budget (priority `send`) before claiming anything;
 * 3. claim the runs (FOR UPDATE SKIP LOCKED) and mark batch and runs `sending` in one transaction;
 * 4. send once with the batch's marker; record the answer with a compare-and-set on the epoch:
 *    sent (collector scheduled), provably unsent (runs back to `requested`), rejected as a whole
 *    (split: the culprit's run `rejected`, the rest requeued), or unknown (recovery by marker).
 */
export class BatchSender {
  private readonly log = new Logger(BatchSender.name);
  private readonly floors = new ClaimFloors();

  constructor(
    private readonly config: AppConfig,
    private readonly store: BatchStore,
    private readonly channel: CommandChannel,
    private readonly pokes: BatchPokes,
    private readonly estimates: CompletionEstimates,
  ) {}

  /**
   * One dispatch round: BATCH_SENDS_IN_FLIGHT lanes take batches from a plan and claim, send and
   * record each (at most once on its own; concurrent claims skip each other's locked rows). One
   * look at the groups (it reads every requested run of the region) plans every batch it shows
   * ready; a lane that finds the plan empty looks again, so a slow answer never holds the others.
   * Ends when nothing is ready (with the delay until something will be), at the first throttle or
   * answer that asks to pause, or after MAX_SENDS_PER_JOB; it returns only when every batch it
   * started has its answer recorded (an error is thrown after that: no send outlives the job).
   */
  async dispatch(region: string): Promise<DispatchResult> {
    const max = this.channel.maxInstancesPerSend;
    const linger = this.config.BATCH_LINGER_MS || 50;
    let sends = 0;
    let taken = 0;
    let busy = 0;
    let claimsSincePlan = 0;
    let lastPlanHadKeys = false;
    let plan: string[] = [];
    /** Why the last look found nothing to send: come back in that many ms, or null (nothing requested). */
    let pause: number | null = null;
    let planning: Promise<void> | null = null;
    /** Set once the round ends: null = nothing left, a number = come back in that many ms. */
    let stop: number | null | undefined;
    let failure: unknown = null;
    const replan = async () => {
      // A whole plan whose claims all came back empty: its runs are locked by another dispatcher or no longer running.
      if (lastPlanHadKeys && claimsSincePlan === 0) {
        lastPlanHadKeys = false;
        pause = linger;
        return;
      }
      claimsSincePlan = 0;
      const next = await this.plan(region);
      lastPlanHadKeys = Array.isArray(next);
      if (Array.isArray(next)) plan = next;
      else pause = next;
    };
    /**
     * The round ends on a pause only when no other lane is sending; otherwise this lane waits it
     * out (a timer, no CPU: the job holds its slot for the others anyway) and looks again.
     */
    const pauseOrEnd = async (ms: number | null): Promise<boolean> => {
      if (busy === 0) {
        stop = ms;
        return true;
      }
      await new Promise((r) => setTimeout(r, ms ?? linger));
      return false;
    };
    const nextKey = async (): Promise<string | undefined> => {
      for (;;) {
        if (stop !== undefined || failure !== null || taken >= MAX_SENDS_PER_JOB) return undefined;
        if (plan.length) {
          taken += 1;
          return plan.shift();
        }
        planning ??= replan()
          .catch((err) => void (failure = err))
          .finally(() => (planning = null));
        await planning;
        if (!plan.length && failure === null && (await pauseOrEnd(pause))) return undefined;
      }
    };
    const lane = async () => {
      for (let key = await nextKey(); key !== undefined; key = await nextKey()) {
        let again: number | null = null;
        busy += 1;
        try {
          await withBudgetPriority('send', () => this.channel.reserveSend(region));
          const changing = CHANGING_SCRIPTS.has(key.split(':')[0] as ScriptName);
          const claim = await this.claim(region, key, max, lookupBoundS(changing, this.config));
          if (claim) {
            claimsSincePlan += 1;
            sends += 1;
            again = await this.send(claim.batch, claim.runs);
          }
        } catch (err) {
          if (err instanceof ChannelThrottledError) again = withJitter(err.retryAfterMs);
          else failure = err;
        } finally {
          busy -= 1;
        }
        if (again !== null && (again > 0 || busy === 0) && (await pauseOrEnd(again))) return;
      }
    };
    await Promise.all(Array.from({ length: this.config.BATCH_SENDS_IN_FLIGHT }, lane));
    if (failure !== null) throw failure;
    return { againInMs: stop === undefined ? 0 : stop, sends };
  }

  /** A claim from the group's floor; one that finds nothing there claims again from the start. */
  private async claim(region: string, key: string, max: number, lookupS: number): Promise<{ batch: BatchRow; runs: ClaimedRun[] } | null> {
    const floor = this.floors.next(region, key);
    let claim = await this.store.claim(region, this.channel.name, key, max, lookupS, floor);
    if (!claim && floor !== NO_FLOOR) {
      this.floors.missed(region, key);
      claim = await this.store.claim(region, this.channel.name, key, max, lookupS, this.floors.next(region, key));
    }
    if (claim) this.floors.claimed(region, key, claim.runs[0].requested_at);
    return claim;
  }

  /**
   * The batches ready now, as group keys (one per batch), or when to look again (null: nothing is
   * requested). A group sends its full batches at once, and its remainder too once no request
   * joined it for BATCH_LINGER_MS or its oldest waited BATCH_MAX_LINGER_MS.
   */
  private async plan(region: string): Promise<string[] | number | null> {
    const max = this.channel.maxInstancesPerSend;
    const groups = await this.store.groups(region);
    if (!groups.length) return null;
    const quiet = (g: GroupInfo) => g.newestAgeMs >= this.config.BATCH_LINGER_MS || g.oldestAgeMs >= this.config.BATCH_MAX_LINGER_MS;
    const keys = groups.flatMap((g) => Array.from({ length: quiet(g) ? Math.ceil(g.n / max) : Math.floor(g.n / max) }, () => g.key));
    if (keys.length) return keys;
    const next = Math.min(...groups.map((g) => Math.min(this.config.BATCH_LINGER_MS - g.newestAgeMs, this.config.BATCH_MAX_LINGER_MS - g.oldestAgeMs)));
    return Math.max(10, next);
  }

  /** One send of a claimed batch. Returns a delay when the dispatcher should stop for now. */
  private async send(b: BatchRow, runs: ClaimedRun[]): Promise<number | null> {
    // One script for every instance: the run id is the batch's (the script's guard still refuses
    // to act twice for it on a server); a restart's boot-time threshold is the batch's.
    let params: Record<string, string | number>;
    try {
      params = batchParams(b.id, b.script_name, runs);
    } catch (err) {
      if (!(err instanceof MissingBootTimeError)) throw err;
      // Nothing was sent: those runs cannot be covered by a threshold; the rest go out without them.
      const res = await this.store.splitRejected(b, err.runIds, `${b.script_name} was not sent: ${err.message}`);
      for (const r of res?.rejected ?? []) await this.pokes.wake(r.remediation_id);
      return 0;
    }
    const script = renderScript(b.script_name as ScriptName, params);
    let commandId: string;
    try {
      ({ commandId } = await withBudgetPriority('send', () =>
        this.channel.send({
          region: b.region,
          instanceIds: runs.map((r) => r.instance_id),
          scriptText: script.text,
          marker: markerFor(b.id),
          executionTimeoutS: scriptExecutionTimeoutS(b.script_name, this.config.COMMAND_TIMEOUT_S),
          deliveryTimeoutS: this.config.DELIVERY_TIMEOUT_S,
          budgetReserved: true,
        }),
      ));
    } catch (err) {
      return this.failed(b, runs, err);
    }
    const moved = await this.store.markSent(b, commandId, commandDeadlineS(b.script_name, this.config), 'now');
    if (!moved) {
      this.log.error(`batch ${b.id}: sent as ${commandId}, but the batch was no longer ours (epoch ${b.send_epoch})`);
      return null;
    }
    // First read when most commands of this script have ended (completion-estimates.ts).
    await this.pokes.collect(b.id, this.estimates.firstReadMs(b.region, b.script_name, this.config.POLL_INTERVAL_MS, this.config.POLL_MAX_INTERVAL_MS));
    return null;
  }

  private async failed(b: BatchRow, runs: ClaimedRun[], err: unknown): Promise<number | null> {
    const msg = ((err as Error)?.message ?? String(err)).slice(0, 1000);
    const notSent = err instanceof ChannelThrottledError || (err instanceof ChannelError && err.sent === 'no');
    if (notSent && !(err instanceof ChannelError && !err.retryable)) {
      // Refused before anything ran (throttled, 5xx known unsent): the runs go back to `requested`.
      await this.store.closeSend(b, 'unsent', msg);
      return withJitter(err instanceof ChannelThrottledError ? err.retryAfterMs : this.config.POLL_INTERVAL_MS);
    }
    if (notSent) return this.split(b, runs, msg);
    // The send may have reached the provider: the runs stay `sending`; recovery looks the batch up by marker.
    this.log.warn(`batch ${b.id} send has an unknown outcome: ${msg}`);
    if (await this.store.markUnknown(b, msg)) await this.pokes.recover(b.id, this.config.SEND_LOOKUP_DELAY_MS);
    return null;
  }

  /**
   * The provider refused the whole send (e.g. one invalid instance id). The instances it names
   * are rejected; the others go back to `requested` and out again without them. When it names
   * none, the group is halved (bisection) until the culprit is alone, and then rejected.
   */
  private async split(b: BatchRow, runs: ClaimedRun[], msg: string): Promise<number | null> {
    const named = runs.filter((r) => msg.includes(r.instance_id));
    let rejected: string[];
    let rekey: ((runId: string, i: number) => string) | undefined;
    if (runs.length === 1) rejected = runs.map((r) => r.id);
    else if (named.length > 0 && named.length < runs.length) rejected = named.map((r) => r.id);
    else {
      rejected = [];
      const half = new Map(runs.map((r, i) => [r.id, (i < runs.length / 2 ? 0 : 1) as 0 | 1]));
      rekey = (runId) => splitKey(b.batch_key, half.get(runId) ?? 0);
    }
    const why = `the channel refused the send of batch ${b.id} as a whole (${msg})`;
    const res = await this.store.splitRejected(b, rejected, `${why}; this instance was the cause, so its command was not sent`, rekey);
    if (!res) return null;
    this.log.warn(`${why}: ${res.rejected.length} rejected, ${res.requeued.length} sent again without them`);
    for (const r of res.rejected) await this.pokes.wake(r.remediation_id);
    return 0;
  }
}
