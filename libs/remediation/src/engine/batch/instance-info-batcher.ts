import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelThrottledError, COMMAND_CHANNEL, CommandChannel, InstanceInfo, withBudgetPriority } from '@rdpfix/channel';
import type { RemediationEntity } from '@rdpfix/persistence';

interface Waiter {
  resolve: (info: InstanceInfo | undefined) => void;
  reject: (err: unknown) => void;
}

/** An instance a call must ask about, and who waits for its answer. */
interface Want {
  waiters: Waiter[];
  /** Latest time it must be asked (arrival + linger). */
  due: number;
  /** Last watch poll for it (null: only a precheck asked). */
  polledAt: number | null;
}

/** The last answer about a watched instance. */
interface Answer {
  info: InstanceInfo | undefined;
  /** When the call that answered started: the answer is at most this old. */
  at: number;
  /**
   * Last watch poll. Polled within 2 intervals: the answer is refreshed before it expires. Within
   * FORGET_MS: it only rides along in calls made anyway (a loaded worker polls late). Then forgotten.
   */
  polledAt: number;
  /**
   * Refresh interval of a sleeping watch's answer once its restart has lasted AGING_AFTER_MS
   * (refreshEvery); unset: every poll interval.
   */
  everyMs?: number;
}

/** A restart watch that sleeps until its instance's answer changes (wakeOnChange). */
interface Subscription {
  remediationId: string;
  /** What the step saw: a refreshed answer that differs from it wakes the remediation. */
  online: boolean;
  /** Past this, the subscription is dropped; the remediation's own wait wakes it anyway. */
  until: number;
  /** When the watched restart began: its answer is refreshed less often as it ages. */
  since: number;
}

interface Region {
  /** Ordered by `at`, oldest first (re-inserted on every answer), so due refreshes are a prefix. */
  answers: Map<string, Answer>;
  /** Per instance: who sleeps until its answer changes. */
  subscriptions: Map<string, Subscription>;
  /** Lookups that found no fresh answer, in arrival order, so the first is due first. */
  prechecks: Map<string, Want>;
  watches: Map<string, Want>;
  /** Who waits for each id of the calls under way (at most MAX_CALLS_IN_FLIGHT per region). */
  inFlight: Map<string, Want>;
  calls: number;
  timer: NodeJS.Timeout | null;
  timerAt: number;
  /** After a failed call, refreshes nobody waits for hold off until then (lookups do not). */
  refreshNotBefore: number;
  /** Moving average of a call's duration (ms): refreshes start that much before answers expire. */
  callMs: number;
  /** How long the region's last restarts took (ms, from the restart to the answer that saw the agent back). */
  backMs: number[];
}

/**
 * A campaign precheck waits this long for others to join its call (a timer: no CPU). Campaign work
 * is not latency-critical and a longer wait fills the calls; it is a constant, not the batched
 * sends' linger, which a deployment may set to seconds.
 */
const PRECHECK_LINGER_MS = 150;
/**
 * A sleeping watch's answer is refreshed every poll interval for this long after its restart
 * began, then every eighth of the restart's age, up to POLL_MAX_INTERVAL_MS: a real Windows
 * restart takes minutes, and refreshing every interval for all of it cost more calls than the
 * rest of the remediation (about 60 looks per server for 2 minutes at a 2 s interval).
 */
export const AGING_AFTER_MS = 30_000;
/** Restarts remembered per region, and how many must have been seen before their length is trusted. */
const BACK_SAMPLES = 32;
const BACK_SAMPLES_MIN = 5;
/** Bound of a watch's wait when it finds no fresh answer (its first poll, or after a gap). */
const MAX_WATCH_LINGER_MS = 250;
/** A watch not polled for this long (nor 4 intervals) is forgotten. */
const FORGET_MS = 10_000;
/** Bound of the answers kept per region (memory stays flat whatever the fleet size). */
const MAX_ANSWERS = 20_000;
/**
 * Calls under way per region. One at a time starved campaign prechecks when the dispatcher sent
 * from several lanes: every lookup then waited for the one call of the lowest budget priority.
 */
export const MAX_CALLS_IN_FLIGHT = 4;
/**
 * A call refused by the budget (or throttled) is asked again after the retry time it was given,
 * on a timer, while the whole wait stays under this bound; past it, its lookups get the error
 * (their steps reschedule). Refusing at once sent every precheck of the call back to its job.
 */
const MAX_THROTTLED_WAIT_MS = 2000;

/**
 * DescribeInstanceInformation for many instances in one call (issue 10). Campaign remediations ask
 * through here; a single fix asks the channel directly, at the top priority.
 *
 * - A precheck (`lookup`) waits at most PRECHECK_LINGER_MS (150 ms) for others to join.
 * - A restart watch (`watch`) polls every POLL_INTERVAL_MS. This process keeps every watched
 *   instance's answer younger than one poll interval: a per-region timer refreshes, just before
 *   they expire, the answers of instances still being polled, 50 per call, oldest first, each
 *   call filled with the next-oldest answers. Instances answered together stay due together, so
 *   watches cost about ceil(watched / 50) calls per poll interval and a poll almost never waits.
 *   An answer is never used once it is a poll interval old: the reboot step tolerates a stale
 *   "online" only within that bound (its restart delay + one interval).
 * - Up to MAX_CALLS_IN_FLIGHT (4) calls per region at a time, never two for one instance; a
 *   call goes as soon as 50 ids wait, or at the earliest deadline. A throttled call is asked
 *   again after its retry time for up to MAX_THROTTLED_WAIT_MS (a timer); a failed call rejects
 *   every lookup waiting for it with the call's error.
 */
@Injectable()
export class InstanceInfoBatcher {
  private readonly regions = new Map<string, Region>();
  private wake: ((remediationIds: string[]) => Promise<void>) | null = null;

  constructor(
    private readonly config: AppConfig,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
  ) {}

  /** A campaign precheck (or a single fix when `batched` is false). */
  lookup(r: RemediationEntity, batched: boolean): Promise<InstanceInfo | undefined> {
    return batched ? this.ask(r.region, r.instanceId, false) : this.direct(r);
  }

  /** A restart watch's poll (reboot step). */
  watch(r: RemediationEntity, batched: boolean): Promise<InstanceInfo | undefined> {
    return batched ? this.ask(r.region, r.instanceId, true) : this.direct(r);
  }

  /** Who moves a remediation on when its watched instance's answer changed (set by the batch worker). */
  useWake(wake: (remediationIds: string[]) => Promise<void>): void {
    this.wake = wake;
  }

  /**
   * A restart watch that saw `online` sleeps instead of polling every interval: this process
   * keeps the instance's answer refreshed (one poll interval old at most, as for polled watches)
   * for up to `forMs`, and wakes the remediation as soon as a refreshed answer differs from what
   * it saw (gone, or back). Polling cost each watched remediation a job run per poll interval,
   * most of a campaign's job runs: a restart took five on the bench, and takes 60 or more on real
   * Windows. An answer that already differs wakes it at once. False when nothing can wake it
   * (no wake set, or not watched in this process): the caller then polls as before.
   */
  wakeOnChange(r: RemediationEntity, online: boolean, forMs: number, since = Date.now()): boolean {
    if (!this.wake) return false;
    const s = this.regions.get(r.region);
    const a = s?.answers.get(r.instanceId);
    if (!s || !a) return false;
    const now = Date.now();
    s.subscriptions.set(r.instanceId, { remediationId: r.id, online, until: now + forMs, since: Math.min(since, now) });
    a.polledAt = now;
    if ((a.info?.online ?? false) !== online) this.notify(s, [r.instanceId], now);
    this.arm(r.region, s);
    return true;
  }

  /**
   * How often the answer of a watch whose restart began at `since` is refreshed while it sleeps:
   * every poll interval for AGING_AFTER_MS, then every eighth of the restart's age, up to
   * POLL_MAX_INTERVAL_MS. A wake comes that much after the change at most.
   * Once the region's restarts have been seen (`region`: at least BACK_SAMPLES_MIN of them), a
   * restart younger than the shortest tenth of them is refreshed every half of the time left until
   * then (at least each poll interval, at most POLL_MAX_INTERVAL_MS): the agent cannot be back
   * before the server has restarted, and on real Windows that takes a minute or more, when every
   * poll interval of it cost a look. A faster restart than those seen is still seen within that
   * half; and only when to look changes, never what a look decides.
   */
  refreshEvery(since: number, now = Date.now(), region?: string): number {
    const age = now - since;
    const back = region === undefined ? null : this.expectedBackMs(region);
    if (back !== null && age < back) {
      return Math.max(this.pollMs, Math.min(this.config.POLL_MAX_INTERVAL_MS, Math.round((back - age) / 2)));
    }
    if (!(age >= AGING_AFTER_MS)) return this.pollMs;
    return Math.max(this.pollMs, Math.min(this.config.POLL_MAX_INTERVAL_MS, Math.round(age / 8)));
  }

  /** The shortest tenth of the region's last restarts (ms), or null before BACK_SAMPLES_MIN were seen. */
  expectedBackMs(region: string): number | null {
    const seen = this.regions.get(region)?.backMs;
    if (!seen || seen.length < BACK_SAMPLES_MIN) return null;
    const sorted = [...seen].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 10)];
  }

  /** Entries held, for tests and diagnostics. */
  sizes(): { answers: number; wants: number; timers: number; subscriptions: number } {
    let answers = 0, wants = 0, timers = 0, subscriptions = 0;
    for (const s of this.regions.values()) {
      answers += s.answers.size;
      wants += s.prechecks.size + s.watches.size;
      subscriptions += s.subscriptions.size;
      if (s.timer) timers++;
    }
    return { answers, wants, timers, subscriptions };
  }

  /** Wakes the subscribers of `ids` whose answer now differs from what they saw; drops them and the expired. */
  private notify(s: Region, ids: Iterable<string>, now: number): void {
    const woken: string[] = [];
    for (const id of ids) {
      const sub = s.subscriptions.get(id);
      if (!sub) continue;
      const online = s.answers.get(id)?.info?.online ?? false;
      if (online !== sub.online || now > sub.until) s.subscriptions.delete(id);
      if (online !== sub.online) woken.push(sub.remediationId);
      // Seen gone, now back: how long a restart takes here (from the answer's call, not its use).
      if (online && !sub.online) this.sawBack(s, (s.answers.get(id)?.at ?? now) - sub.since);
    }
    // A failed wake is covered by the remediation's own (longer) wait.
    if (woken.length && this.wake) void this.wake(woken).catch(() => undefined);
  }

  private sawBack(s: Region, ms: number): void {
    if (!(ms > 0)) return;
    s.backMs.push(ms);
    if (s.backMs.length > BACK_SAMPLES) s.backMs.shift();
  }

  private direct(r: RemediationEntity): Promise<InstanceInfo | undefined> {
    return this.channel.instanceInfo(r.region, [r.instanceId]).then((m) => m.get(r.instanceId));
  }

  private get pollMs(): number {
    return this.config.POLL_INTERVAL_MS;
  }

  /** A watch that was not polled for this long is no longer refreshed by calls of its own. */
  private get activeMs(): number {
    return 2 * this.pollMs;
  }

  private get forgetMs(): number {
    return Math.max(FORGET_MS, 4 * this.pollMs);
  }

  private get watchLingerMs(): number {
    return Math.min(MAX_WATCH_LINGER_MS, Math.max(25, Math.round(this.pollMs / 4)));
  }

  /** How long before expiry an answer is refreshed: about one call, so polls do not wait for it. */
  private leadMs(s: Region): number {
    return Math.min(Math.round(this.pollMs / 4), Math.max(10, Math.round(s.callMs * 1.5 + 5)));
  }

  private region(name: string): Region {
    let s = this.regions.get(name);
    if (!s) {
      s = { answers: new Map(), subscriptions: new Map(), prechecks: new Map(), watches: new Map(), inFlight: new Map(), calls: 0, timer: null, timerAt: Infinity, refreshNotBefore: 0, callMs: 20, backMs: [] };
      this.regions.set(name, s);
    }
    return s;
  }

  private ask(region: string, id: string, watch: boolean): Promise<InstanceInfo | undefined> {
    const s = this.region(region);
    const now = Date.now();
    const a = s.answers.get(id);
    if (a && watch) {
      const idle = now - a.polledAt > this.activeMs;
      a.polledAt = now;
      if (idle) this.arm(region, s); // polled again: its refreshes resume
    }
    if (a && now - a.at < this.pollMs) return Promise.resolve(a.info);
    return new Promise((resolve, reject) => {
      const flying = s.inFlight.get(id);
      if (flying) {
        flying.waiters.push({ resolve, reject });
        if (watch) flying.polledAt = now;
        return;
      }
      const w = s.prechecks.get(id) ?? s.watches.get(id) ?? { waiters: [], due: Infinity, polledAt: null };
      w.waiters.push({ resolve, reject });
      if (watch) {
        w.polledAt = now;
        if (w.due === Infinity) s.watches.set(id, { ...w, due: now + this.watchLingerMs });
      } else if (!s.prechecks.has(id)) {
        // A precheck is more urgent than a watch of the same instance: it moves to the prompt queue.
        s.watches.delete(id);
        s.prechecks.set(id, { ...w, due: now + PRECHECK_LINGER_MS });
      }
      this.arm(region, s, (s.prechecks.get(id) ?? s.watches.get(id))?.due);
    });
  }

  /**
   * One timer per region, set for the earliest lookup deadline or answer refresh (now when a call
   * is full). `wantDue`: armed for one new lookup or watch due then, which can only move the timer
   * earlier; a timer due by then already covers it, without a scan of the answers (at 10,000
   * targets that scan, repeated on every poll, cost 2 % of the worker's CPU). The answers' refresh
   * times change only when a call ends or a watch is polled again, and both arm in full.
   */
  private arm(region: string, s: Region, wantDue?: number): void {
    if (s.calls >= MAX_CALLS_IN_FLIGHT) return; // a call's end arms again
    const now = Date.now();
    const full = s.prechecks.size + s.watches.size >= Math.max(1, this.channel.maxInstancesPerSend);
    if (!full && wantDue !== undefined && s.timer && s.timerAt <= wantDue) return;
    let at = full ? now : Math.min(this.wantDue(s), this.refreshAt(s, now));
    if (at === Infinity && s.answers.size) at = now + this.forgetMs; // a sweep forgets the rest
    if (s.timer && s.timerAt <= at) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.timerAt = Infinity;
    if (at === Infinity) return;
    s.timerAt = at;
    s.timer = setTimeout(() => {
      s.timer = null;
      s.timerAt = Infinity;
      void this.pump(region, s);
    }, Math.max(0, at - now));
    s.timer.unref?.();
  }

  private async pump(region: string, s: Region): Promise<void> {
    if (s.calls >= MAX_CALLS_IN_FLIGHT) return;
    const now = Date.now();
    const P = this.pollMs;
    const max = Math.max(1, this.channel.maxInstancesPerSend);
    const full = s.prechecks.size + s.watches.size >= max;
    if (!full && this.wantDue(s) > now && this.refreshAt(s, now) > now) return this.arm(region, s);

    const call = new Map<string, Want>();
    // Prechecks first (a precheck never waits behind many watches), then watches, oldest first.
    for (const wants of [s.prechecks, s.watches]) {
      for (const [id, w] of wants) {
        if (call.size >= max) break;
        call.set(id, w);
        wants.delete(id);
      }
    }
    // Fill the call with the oldest answers at least half an interval old (it costs no call, and
    // they become due together with this call's others): watches polled lately first, then the rest.
    for (const recent of [true, false]) {
      for (const [id, a] of s.answers) {
        if (call.size >= max || now - a.at < P / 2) break;
        if (recent !== this.keptFresh(a, now) || call.has(id) || s.inFlight.has(id)) continue;
        if (a.everyMs && now - a.at < a.everyMs / 2) continue; // an aged answer: not half its interval old yet
        call.set(id, { waiters: [], due: now, polledAt: null });
      }
    }
    if (!call.size) return this.arm(region, s);

    for (const [id, w] of call) s.inFlight.set(id, w);
    s.calls += 1;
    this.arm(region, s); // the next call may go while this one is under way
    const ids = [...call.keys()];
    try {
      const { found, startedAt } = await this.askChannel(region, ids, now);
      s.callMs = s.callMs * 0.8 + (Date.now() - startedAt) * 0.2;
      s.refreshNotBefore = 0;
      const answered = Date.now();
      for (const [id, w] of call) {
        const prev = s.answers.get(id);
        // A subscribed watch counts as polled now: its answer stays refreshed while it sleeps.
        const sub = s.subscriptions.get(id);
        const subscribed = sub && sub.until >= answered;
        const polledAt = Math.max(prev?.polledAt ?? 0, w.polledAt ?? 0, subscribed ? answered : 0);
        if (!polledAt) continue; // a precheck only: nobody will poll for it
        // A sleeping watch's answer is refreshed as its restart's age says; a polled one every interval.
        const every = subscribed ? this.refreshEvery(sub.since, answered, region) : this.pollMs;
        s.answers.delete(id);
        s.answers.set(id, { info: found.get(id), at: startedAt, polledAt, ...(every > this.pollMs ? { everyMs: every } : {}) });
      }
      for (const id of s.answers.keys()) {
        if (s.answers.size <= MAX_ANSWERS) break;
        s.answers.delete(id);
        s.subscriptions.delete(id);
      }
      if (s.subscriptions.size) this.notify(s, call.keys(), answered);
      for (const [id, w] of call) for (const x of w.waiters) x.resolve(found.get(id));
    } catch (err) {
      s.refreshNotBefore = Date.now() + (err instanceof ChannelThrottledError ? err.retryAfterMs : Math.min(P, 1000));
      for (const w of call.values()) for (const x of w.waiters) x.reject(err);
    } finally {
      for (const id of call.keys()) s.inFlight.delete(id);
      s.calls -= 1;
      this.arm(region, s);
    }
  }

  /** The call, asked again while throttled within MAX_THROTTLED_WAIT_MS; `startedAt`: the answering attempt's start. */
  private async askChannel(region: string, ids: string[], since: number): Promise<{ found: Map<string, InstanceInfo>; startedAt: number }> {
    for (;;) {
      const startedAt = Date.now();
      try {
        return { found: await withBudgetPriority('info', () => this.channel.instanceInfo(region, ids)), startedAt };
      } catch (err) {
        if (!(err instanceof ChannelThrottledError)) throw err;
        const wait = Math.round(err.retryAfterMs * (0.8 + Math.random() * 0.4));
        if (Date.now() + wait - since > MAX_THROTTLED_WAIT_MS) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private wantDue(s: Region): number {
    const first = (m: Map<string, Want>) => (m.values().next().value as Want | undefined)?.due ?? Infinity;
    return Math.min(first(s.prechecks), first(s.watches));
  }

  /**
   * When the oldest answer of a watch polled lately needs its refresh (answers are in age order);
   * forgets, on the way, watches no longer polled (their remediation moved on).
   */
  private refreshAt(s: Region, now: number): number {
    // Answers are in age order, so the first kept at the poll interval is the earliest of those;
    // aged answers (refreshed less often) before it are looked at one by one.
    let aged = Infinity;
    for (const [id, a] of s.answers) {
      if (s.inFlight.has(id)) continue; // being refreshed
      if (now - a.polledAt > this.forgetMs + (a.everyMs ?? 0)) {
        s.answers.delete(id);
        s.subscriptions.delete(id);
      } else if (this.keptFresh(a, now)) {
        const due = Math.max(a.at + (a.everyMs ?? this.pollMs) - this.leadMs(s), s.refreshNotBefore);
        if (!a.everyMs) return Math.min(aged, due);
        aged = Math.min(aged, due);
      }
    }
    return aged;
  }

  /** Is this answer refreshed by calls of its own (polled lately, or asleep within its aged interval)? */
  private keptFresh(a: Answer, now: number): boolean {
    return now - a.polledAt <= this.activeMs + (a.everyMs ?? 0);
  }
}
