import { Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { CAMPAIGN_JOB_PRIORITY, RemediationDispatcher } from '@rdpfix/queue';
import { InlineAdvance, RemediationNotFoundError, RemediationService } from '@rdpfix/remediation';
import { CAMPAIGN_EVENT_TYPES, CAMPAIGN_WEBHOOK_EVENTS, CampaignState, drainedState, isFinal } from '../domain/campaign-state';
import { diagnosedReason, summarizeFacts } from '../domain/facts-reader';
import { harvestDecision } from '../domain/harvest';
import { MappedOutcome, notStartedReason } from '../domain/target-outcome';
import { budgetExceeded, changeWindow, cohortHoldMs, rampWindow, startsUnderQueue } from '../domain/rate-control';
import { CampaignEntity, CampaignEventEntity, CampaignStop } from '../entities';
import { CampaignEventRepository, listUndeliveredFor, NewCampaignEvent } from '../events/campaign-event.repository';
import { CampaignNotifier } from '../events/campaign-notifier';
import { CampaignRepository } from '../persistence/campaign.repository';
import { overshoot } from '../read/campaign-view';
import { runnerOf, SqlRunner } from '../persistence/sql-runner';
import { CampaignWaker } from './campaign-waker';
import { TickState, WaveCounters } from './tick-state';

/** What one tick did (logs and tests). */
export interface TickReport {
  state: string | null;
  harvested: number;
  started: number;
  resumed: number;
  skippedAtStart: number;
  /** Freed slots held to start together (a start cohort), ms; 0 when nothing was held. */
  cohortHoldMs: number;
}

/** Most remediation cancels one tick sends (a cancelled campaign with thousands parked drains over several ticks). */
const CANCELS_PER_TICK = 200;

interface PostCommit {
  dispatch: string[];
  /** Remediations whose change gate this tick opened: advanced at once. */
  release: string[];
  approve: string[];
  cancel: string[];
  events: CampaignEventEntity[];
  campaign: CampaignEntity | null;
  wakeAt: Date | null;
}

interface HarvestRow {
  seq: number;
  wave: number | null;
  state: 'running' | 'parked' | 'approved';
  change_gate: 'open' | 'closed' | 'held';
  remediation_id: string | null;
  harvest_due: boolean;
  approval_requested: boolean;
  started_at: Date | null;
  rem_state: string | null;
  rem_outcome: string | null;
  rem_reason: string | null;
  rem_cancel_requested: boolean | null;
  rem_plan: unknown;
  rem_gate: string | null;
  /** Its gate opened, yet it still stands at the plan step after the safety wake's delay. */
  rem_stalled_at_gate: boolean | null;
}

/**
 * The campaign scheduler: one tick = one transaction holding the campaign's row lock, so ticks
 * of one campaign never overlap, whichever worker runs them.
 *
 * 1. harvest: started targets whose remediation moved (finished → outcome; parked; approved
 *    elsewhere). Only the targets the remediation listener flagged (harvest_due) are read, so a
 *    tick costs what changed, not what is in flight. A `full` tick reads every started target,
 *    which also heals a lost flag: draining ticks, and any tick once this process's last full
 *    one of the campaign is CAMPAIGN_FULL_HARVEST_MS old (whoever runs it: the tick worker or
 *    the sweeper, so a campaign that is always locked by busy ticks still gets its full pass).
 * 2. budgets: failures (or unreachable) over their budget → `stopping`.
 * 3. waves: the current wave is done when all its targets finished → bake, then the next.
 * 4. claim: as many targets as the cap, the ramp, the wave and the queues allow — approved restarts first,
 *    then the next pending targets in list order (FOR UPDATE SKIP LOCKED), each becoming an
 *    ordinary remediation (source `campaign`) in the same statement.
 * 5. drain/finish: stopping/cancelling cancel what must stop; nothing left → final state.
 *
 * After commit: new remediations are queued, approvals and cancels go through the normal
 * remediation API path, and webhooks are recorded. The cap holds because the count in flight
 * is read and the claim made under the same lock, and a remediation is "in flight" for the
 * campaign from its creation until a tick has seen it end.
 */
@Injectable()
export class CampaignScheduler {
  private readonly log = new Logger(CampaignScheduler.name);

  constructor(
    private readonly config: AppConfig,
    private readonly ds: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly events: CampaignEventRepository,
    private readonly notifier: CampaignNotifier,
    private readonly waker: CampaignWaker,
    private readonly dispatcher: RemediationDispatcher,
    private readonly remediations: RemediationService,
    /** The engine's inline path (worker only; absent where no engine runs, e.g. unit tests). */
    @Optional() private readonly inline?: InlineAdvance,
  ) {}

  /** Per campaign, when this process last committed a full tick of it (Date.now()). */
  private readonly lastFull = new Map<string, number>();

  async tick(id: string, opts: { full?: boolean; skipIfLocked?: boolean } = {}): Promise<TickReport> {
    const post: PostCommit = { dispatch: [], release: [], approve: [], cancel: [], events: [], campaign: null, wakeAt: null };
    const report: TickReport = { state: null, harvested: 0, started: 0, resumed: 0, skippedAtStart: 0, cohortHoldMs: 0 };
    const startedAt = Date.now();
    // A flag lost with its statement (an error, a dead connection) would leave its target in
    // flight until a full tick; the sweeper's skips a locked campaign, so busy ones get it here.
    const full = opts.full === true || startedAt - (this.lastFull.get(id) ?? 0) >= this.config.CAMPAIGN_FULL_HARVEST_MS;
    let ran = false;
    await this.ds.transaction(async (m) => {
      await m.query(`SET LOCAL lock_timeout = '10s'`);
      const c = await this.campaigns.lock(m, id, opts.skipIfLocked);
      if (!c) return;
      report.state = c.state;
      if (isFinal(c.state)) return;
      await this.run(m, c, full, post, report);
      ran = true;
    });
    if (ran && full) this.rememberFull(id, startedAt);
    if (report.state && isFinal(report.state)) this.lastFull.delete(id);
    await this.afterCommit(post);
    return report;
  }

  private rememberFull(id: string, at: number): void {
    if (this.lastFull.size >= 10_000 && !this.lastFull.has(id)) this.lastFull.clear(); // a bound, not a cache policy
    this.lastFull.set(id, at);
  }

  private async run(m: EntityManager, c: CampaignEntity, full: boolean, post: PostCommit, report: TickReport): Promise<void> {
    const q = runnerOf(m);
    // One clock, PostgreSQL's: the transaction's now() is also what started_at/finished_at get.
    const [{ now }] = (await q(`SELECT now() AS now`)) as [{ now: Date }];
    const waves = (await q(`SELECT * FROM campaign_waves WHERE campaign_id = $1 ORDER BY wave`, [c.id])).map(
      (w): WaveCounters => ({
        wave: w.wave,
        size: w.size,
        started: w.started,
        finished: w.finished,
        ok: w.ok,
        clearedOk: w.cleared_ok,
        fixedOk: w.fixed_ok,
        changesOk: w.changes_ok,
        errors: w.errors,
        unreachable: w.unreachable,
        startedAt: w.started_at,
        doneAt: w.done_at,
        runMsSum: Number(w.run_ms_sum),
        runsTimed: w.runs_timed,
        runS2Sum: Number(w.run_s2_sum),
        lastStartAt: w.last_start_at,
      }),
    );
    const st = new TickState(c, waves);
    let state: CampaignState = c.state;
    let stop: CampaignStop | null = c.stop;
    let currentWave = c.currentWave;
    let bakeUntil: Date | null = c.bakeUntil;
    let startedAt: Date | null = c.startedAt;
    let finishedAt: Date | null = null;
    const events: NewCampaignEvent[] = [];
    const draining = state === 'stopping' || state === 'cancelling';

    // 1. harvest
    report.harvested = await this.harvest(q, c, st, full || draining, now, post);
    // A pending target left behind the cursor (skipped while locked) is found again by the full pass.
    if (full && st.counts.pending > 0) {
      const [row] = await q(`SELECT min(seq) AS seq FROM campaign_targets WHERE campaign_id = $1 AND state = 'pending'`, [c.id]);
      if (row.seq !== null && row.seq < st.nextSeq) st.nextSeq = Number(row.seq);
    }
    if (draining) await this.collectCancels(q, c, post);

    // 2. budgets: stop starting when failures EXCEED the budget; what is in flight finishes.
    if ((state === 'running' || state === 'paused') && !stop) {
      const kind = budgetExceeded(st.failures, c.maxErrors) ? 'errors' : budgetExceeded(st.unreachable, c.maxUnreachable) ? 'unreachable' : null;
      if (kind) {
        const count = kind === 'errors' ? st.failures : st.unreachable;
        const budget = kind === 'errors' ? c.maxErrors : c.maxUnreachable;
        stop = { kind, at: now.toISOString(), countAtStop: count, inFlightAtStop: st.counts.running };
        state = 'stopping';
        const what = kind === 'errors' ? 'failures' : 'unreachable instances';
        events.push({
          type: CAMPAIGN_EVENT_TYPES.stoppedOnErrors,
          message: `stopped starting targets: ${count} ${what} exceed the budget of ${budget}; ${st.counts.running} in flight will finish`,
          data: { kind, count, budget, inFlight: st.counts.running, state },
        });
        post.wakeAt = now; // drain (cancel what waits for approval) on the next tick
      }
    }

    // 3. waves
    const wv = st.waves.get(currentWave);
    if (wv && !wv.doneAt && wv.started >= wv.size && wv.finished >= wv.size) {
      wv.doneAt = now;
      st.touchedWaves.add(wv.wave);
      const last = currentWave >= st.waves.size;
      events.push({
        type: CAMPAIGN_EVENT_TYPES.waveDone,
        message: `wave ${wv.wave} of ${st.waves.size} done: ${wv.size} target(s), ${wv.errors} failure(s)`,
        data: { wave: wv.wave, waves: st.waves.size, size: wv.size, ok: wv.ok, errors: wv.errors, unreachable: wv.unreachable },
      });
      if (!last) {
        currentWave++;
        bakeUntil = c.waveBakeS > 0 ? new Date(now.getTime() + c.waveBakeS * 1000) : null;
      }
    }

    // 4. claim
    if (state === 'running') {
      if (bakeUntil && bakeUntil > now) {
        post.wakeAt = bakeUntil;
      } else {
        const claimed = await this.claim(q, c, st, currentWave, now, post);
        report.started = claimed.started;
        report.resumed = claimed.resumed;
        report.skippedAtStart = claimed.skipped;
        report.cohortHoldMs = claimed.holdMs;
        if (claimed.started > 0 && !startedAt) {
          startedAt = now;
          events.unshift({ type: CAMPAIGN_EVENT_TYPES.started, message: `started: ${c.targetCount} target(s), at most ${c.maxConcurrency} at a time`, data: { targets: c.targetCount, maxConcurrency: c.maxConcurrency } });
        }
        // Targets skipped at start free their slot at once: come back for the next ones.
        if (claimed.skipped > 0) post.wakeAt = now;
      }
    }

    // 5. finish
    const pendingLeft = state === 'running' || state === 'paused' ? st.counts.pending : 0;
    const active = st.counts.running + (state === 'running' || state === 'paused' ? st.counts.parked + st.counts.approved : 0);
    const drainedParked = state === 'stopping' || state === 'cancelling' ? st.counts.parked + st.counts.approved : 0;
    if (pendingLeft === 0 && active === 0 && drainedParked === 0 && (await this.nothingActive(q, c.id, state))) {
      const final = drainedState(state);
      const notStarted = st.counts.pending;
      if (notStarted > 0) st.outcomes.not_started = (st.outcomes.not_started ?? 0) + notStarted;
      state = final;
      finishedAt = now;
      events.push({
        type: CAMPAIGN_EVENT_TYPES.done,
        message: `campaign ${final}: ${Object.entries(st.outcomes).map(([k, n]) => `${n} ${k}`).join(', ') || 'no targets'}`,
        data: { state: final, outcomes: { ...st.outcomes }, failures: st.failures, unreachable: st.unreachable, overshoot: overshoot({ stop, failures: st.failures, unreachable: st.unreachable, maxErrors: c.maxErrors, maxUnreachable: c.maxUnreachable }) },
      });
    }

    // persist (a tick that changed nothing writes nothing: readers watch `version`)
    const changed =
      report.harvested > 0 ||
      report.started > 0 ||
      report.resumed > 0 ||
      report.skippedAtStart > 0 ||
      events.length > 0 ||
      st.touchedWaves.size > 0 ||
      state !== c.state ||
      currentWave !== c.currentWave ||
      st.nextSeq !== c.nextSeq ||
      (bakeUntil?.getTime() ?? null) !== (c.bakeUntil ? new Date(c.bakeUntil).getTime() : null);
    report.state = state;
    if (!changed) {
      post.campaign = c;
      return;
    }
    await this.saveWaves(q, c.id, st);
    const patch: Record<string, unknown> = {
      counts: st.counts,
      outcomes: st.outcomes,
      failures: st.failures,
      unreachable: st.unreachable,
      state,
      stop,
      current_wave: currentWave,
      next_seq: st.nextSeq,
      bake_until: bakeUntil,
      started_at: startedAt,
      ...(finishedAt ? { finished_at: finishedAt } : {}),
    };
    await this.campaigns.update(m, c.id, patch);
    post.events = await this.events.append(m, c.id, events);
    report.state = state;
    post.campaign = Object.assign(new CampaignEntity(), c, {
      counts: st.counts,
      outcomes: st.outcomes,
      failures: st.failures,
      unreachable: st.unreachable,
      state,
      stop,
      currentWave,
      nextSeq: st.nextSeq,
      bakeUntil,
      startedAt,
      finishedAt: finishedAt ?? c.finishedAt,
    });
  }

  private async harvest(q: SqlRunner, c: CampaignEntity, st: TickState, full: boolean, now: Date, post: PostCommit): Promise<number> {
    const rows = (await q(
      `SELECT t.seq, t.wave, t.state, t.change_gate, t.remediation_id, t.harvest_due, (t.approval_requested_at IS NOT NULL) AS approval_requested, t.started_at,
              r.state AS rem_state, r.outcome AS rem_outcome, r.reason AS rem_reason, r.cancel_requested AS rem_cancel_requested,
              CASE WHEN r.state = 'finished' AND r.outcome = 'diagnosed' THEN r.plan END AS rem_plan,
              CASE WHEN r.state = 'running' THEN r.step_data->>'changeGate' END AS rem_gate,
              (r.state = 'running' AND r.step = 'plan' AND r.step_data->>'changeGate' = 'open'
                AND r.updated_at < now() - ($2::int * interval '1 millisecond')) AS rem_stalled_at_gate
         FROM campaign_targets t LEFT JOIN remediations r ON r.id = t.remediation_id
        WHERE t.campaign_id = $1 AND t.state IN ('running','parked','approved') ${full ? '' : 'AND t.harvest_due'}`,
      [c.id, this.config.BATCH_SAFETY_WAKE_MS],
    )) as HarvestRow[];
    const seqs: number[] = [];
    const states: string[] = [];
    const outcomes: (string | null)[] = [];
    const reasons: (string | null)[] = [];
    const held: number[] = [];
    const stalled: string[] = [];
    let changed = 0;
    for (const r of rows) {
      const d = harvestDecision(
        {
          targetState: r.state,
          approvalRequested: r.approval_requested,
          remState: r.remediation_id ? r.rem_state : null,
          remOutcome: r.rem_outcome,
          remReason: r.rem_reason,
          planReason: r.rem_plan ? diagnosedReason(summarizeFacts(null, r.rem_plan)) : null,
        },
        { campaignCancelling: c.state === 'cancelling' },
      );
      if (d.kind === 'finish') {
        // How long it ran feeds start cohorts; a wait for an approval is not run time.
        const runMs = r.remediation_id && r.started_at && !r.approval_requested ? now.getTime() - new Date(r.started_at).getTime() : null;
        const gateOpen = r.change_gate === 'open';
        const mapped = gateOpen ? d.mapped : beforeTheGate(d.mapped, r.rem_reason, c);
        st.finish(r.state, r.wave, mapped, runMs, gateOpen);
        seqs.push(r.seq);
        states.push('done');
        outcomes.push(mapped.outcome);
        reasons.push(mapped.reason);
        changed++;
      } else if (d.kind === 'move') {
        st.move(r.state, d.to);
        seqs.push(r.seq);
        states.push(d.to);
        outcomes.push(null);
        reasons.push(null);
        changed++;
      } else if (d.reapprove && r.remediation_id) {
        post.approve.push(r.remediation_id);
      } else if (r.state === 'running' && r.change_gate === 'closed' && r.rem_gate === 'held') {
        held.push(r.seq);
      } else if (r.state === 'running' && r.change_gate === 'open' && r.rem_stalled_at_gate && r.remediation_id) {
        stalled.push(r.remediation_id);
      }
    }
    // A gate opened, but the process that opened it died before advancing its remediation (or
    // the wake was lost): the remediation's own job sleeps up to 10 × CAMPAIGN_GATE_WAKE_MS, and
    // its target holds a ramp slot meanwhile. Advanced again here (each step is a compare-and-set).
    if (stalled.length) {
      this.log.warn(`campaign ${c.id}: ${stalled.length} remediation(s) stood at an open gate for over ${this.config.BATCH_SAFETY_WAKE_MS} ms; advancing them`);
      post.release.push(...stalled);
    }
    // Held, but the listener's mark was lost (a full pass finds it): the claim opens these gates first.
    if (held.length) {
      await q(`UPDATE campaign_targets SET change_gate = 'held' WHERE campaign_id = $1 AND seq = ANY($2::int[]) AND change_gate = 'closed'`, [c.id, held]);
      post.wakeAt ??= now; // a held target may find a free slot at once
    }
    if (seqs.length) {
      await q(
        `UPDATE campaign_targets t
            SET state = u.state, outcome = u.outcome, reason = u.reason, harvest_due = false,
                finished_at = CASE WHEN u.state = 'done' THEN now() ELSE t.finished_at END
           FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS u(seq, state, outcome, reason)
          WHERE t.campaign_id = $1 AND t.seq = u.seq`,
        [c.id, seqs, states, outcomes, reasons],
      );
    }
    // Only the flags this tick read: a flag raised since (a remediation that moved after the read)
    // stays for the next tick. A full tick reads every started target, but clears only the flagged.
    const read = rows.filter((r) => r.harvest_due).map((r) => r.seq);
    if (read.length) await q(`UPDATE campaign_targets SET harvest_due = false WHERE campaign_id = $1 AND seq = ANY($2::int[]) AND harvest_due`, [c.id, read]);
    return changed;
  }

  /** Draining: what must be cancelled through the remediation API (not already asked). */
  private async collectCancels(q: SqlRunner, c: CampaignEntity, post: PostCommit): Promise<void> {
    // Stopping lets in-flight work finish (SSM's MaxErrors semantics) and only cancels what waits
    // for an approval; cancelling stops everything.
    // Targets started ahead of the ramp whose gate is still shut have changed nothing: a stop
    // cancels them like the parked ones (they end not_started).
    const which =
      c.state === 'cancelling'
        ? `t.state IN ('running','parked','approved')`
        : `(t.state IN ('parked','approved') OR (t.state = 'running' AND t.change_gate <> 'open' AND r.step IN ('precheck','diagnose','plan')))`;
    const rows = await q(
      `SELECT t.remediation_id FROM campaign_targets t JOIN remediations r ON r.id = t.remediation_id
        WHERE t.campaign_id = $1 AND ${which} AND r.state <> 'finished' AND NOT r.cancel_requested
          -- A restart sent or only verification left: a cancel is refused as too late; they end on their own.
          AND NOT (r.step = 'verify' OR (r.step = 'reboot' AND r.state = 'running' AND (r.rebooted OR r.step_data ? 'rebootCommandDoneAt')))
        ORDER BY t.seq LIMIT ${CANCELS_PER_TICK + 1}`,
      [c.id],
    );
    for (const r of rows.slice(0, CANCELS_PER_TICK)) post.cancel.push(r.remediation_id as string);
    if (rows.length > CANCELS_PER_TICK || post.cancel.length) post.wakeAt = new Date(Date.now() + 200);
  }

  /**
   * Starts what the cap, the ramp, the wave and the queues allow. The ramp window bounds the
   * targets whose gate is open (that may change their server). With CAMPAIGN_LOOKAHEAD a fix
   * campaign also starts targets ahead of it, up to the cap, with their gate closed: they are
   * checked and diagnosed (which changes nothing) and hold any change at the gate; its window is
   * changeWindow() (one until a target is fixed, then one more per change that succeeded).
   * Otherwise the window is rampWindow() over whole targets, as SSM ramps a one-command document.
   * Free ramp slots go first to held targets (oldest first), then to approved restarts, then to
   * new targets started with their gate open.
   */
  private async claim(q: SqlRunner, c: CampaignEntity, st: TickState, waveNo: number, now: Date, post: PostCommit): Promise<{ started: number; resumed: number; skipped: number; holdMs: number }> {
    const wave = st.waves.get(waveNo);
    if (!wave) return { started: 0, resumed: 0, skipped: 0, holdMs: 0 };
    const lookahead = c.mode === 'fix' && this.config.CAMPAIGN_LOOKAHEAD;
    const [{ n: inFlight, open }] = await q(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE change_gate = 'open')::int AS open FROM campaign_targets WHERE campaign_id = $1 AND state = 'running'`,
      [c.id],
    );
    const window = lookahead ? changeWindow(wave, c.maxConcurrency) : rampWindow(wave.clearedOk, c.maxConcurrency);
    let changeFree = Math.max(0, window - open);
    const holdMs = cohortHoldMs({
      free: changeFree,
      inFlight: open,
      meanRunMs: st.meanRunMs(waveNo),
      weightedRunMs: st.weightedRunMs(waveNo),
      sinceLastStartMs: wave.lastStartAt ? now.getTime() - new Date(wave.lastStartAt).getTime() : null,
      sharePct: this.config.CAMPAIGN_COHORT_SHARE_PCT,
      maxMs: this.config.CAMPAIGN_COHORT_MAX_MS,
      minRunMs: this.config.CAMPAIGN_COHORT_MIN_RUN_MS,
    });
    if (holdMs > 0) {
      // Completions until then add their slots to this cohort; the wake starts it if none come.
      const at = new Date(Date.now() + holdMs);
      if (!post.wakeAt || post.wakeAt > at) post.wakeAt = at;
      if (!lookahead) return { started: 0, resumed: 0, skipped: 0, holdMs };
      changeFree = 0; // looks ahead go on; the changes wait for the cohort
    }
    if (lookahead && changeFree > 0 && inFlight > open) changeFree -= await this.openHeldGates(q, c, changeFree, post);
    // Slots under the cap for approved restarts and new targets (without looking ahead: the ramp's too).
    let free = Math.max(0, c.maxConcurrency - inFlight);
    if (!lookahead) free = Math.min(free, changeFree);
    if (free > 0) free = await this.startsTheQueuesAllow(q, c, free, post);
    let resumed = 0;
    const resumable = Math.min(free, changeFree);
    if (resumable > 0 && st.counts.approved > 0) {
      const rows = await q(
        `UPDATE campaign_targets t SET state = 'running', change_gate = 'open'
           WHERE t.campaign_id = $1 AND t.seq IN (
             SELECT seq FROM campaign_targets WHERE campaign_id = $1 AND state = 'approved'
              ORDER BY approval_requested_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING t.remediation_id`,
        [c.id, resumable],
      );
      resumed = rows.length;
      st.move('approved', 'running', resumed);
      for (const r of rows) post.approve.push(r.remediation_id as string);
      free -= resumed;
      changeFree -= resumed;
    }
    const opened = await this.startTargets(q, c, st, waveNo, now, post, Math.min(free, changeFree), true);
    free -= opened.started;
    const ahead = lookahead ? await this.startTargets(q, c, st, waveNo, now, post, free, false) : { started: 0, skipped: 0 };
    return { started: opened.started + ahead.started, resumed, skipped: opened.skipped + ahead.skipped, holdMs: 0 };
  }

  /** Up to `n` next pending targets of the wave become remediations, their change gate open or closed. */
  private async startTargets(q: SqlRunner, c: CampaignEntity, st: TickState, waveNo: number, now: Date, post: PostCommit, n: number, open: boolean): Promise<{ started: number; skipped: number }> {
    const wave = st.waves.get(waveNo)!;
    let free = n;
    let started = 0;
    let skipped = 0;
    // Targets skipped at start (another remediation active) take no slot: try again, a few times.
    for (let round = 0; round < 5 && free > 0; round++) {
      const want = Math.min(free, wave.size - wave.started);
      if (want <= 0) break;
      const rows = await q(CLAIM_SQL, [
        c.id,
        want,
        c.mode,
        c.strategy,
        c.licenseServer,
        c.licensingMode,
        c.allowReboot,
        JSON.stringify({ ...(c.actor ?? { keyId: null, role: 'fleet' }), source: 'campaign', campaignId: c.id }),
        this.config.REMEDIATION_DEADLINE_S,
        `${c.mode} requested by campaign ${c.id}${open ? '' : ' (ahead of its ramp: diagnosed now, changed when the ramp has a slot)'}`,
        waveNo,
        st.nextSeq,
        open ? 'open' : 'closed',
      ]);
      if (rows.length === 0) break;
      st.nextSeq = Math.max(st.nextSeq, Number(rows[rows.length - 1].seq) + 1);
      const ok = rows.filter((r) => r.remediation_id);
      st.claimed(waveNo, ok.length, rows.length - ok.length, now, open);
      for (const r of ok) post.dispatch.push(r.remediation_id as string);
      started += ok.length;
      skipped += rows.length - ok.length;
      free -= ok.length;
      if (rows.length === ok.length) break;
    }
    return { started, skipped };
  }

  /**
   * Opens the gates of up to `n` held targets, oldest first: the target counts as changing from
   * now, and its remediation (a compare-and-set on its version, so a step in flight re-reads it)
   * may change its server, its deadline counted from here. Returns how many slots were taken.
   */
  private async openHeldGates(q: SqlRunner, c: CampaignEntity, n: number, post: PostCommit): Promise<number> {
    const [row] = (await q(
      `WITH h AS (
         SELECT seq, remediation_id FROM campaign_targets
          WHERE campaign_id = $1 AND state = 'running' AND change_gate = 'held' ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
       ), t AS (
         UPDATE campaign_targets x SET change_gate = 'open' FROM h WHERE x.campaign_id = $1 AND x.seq = h.seq RETURNING x.seq
       ), r AS (
         UPDATE remediations r
            SET step_data = r.step_data || '{"changeGate":"open"}'::jsonb,
                deadline_at = greatest(r.deadline_at, now() + ($3::int * interval '1 second')),
                version = r.version + 1, updated_at = now()
           FROM h WHERE r.id = h.remediation_id AND r.state = 'running' AND r.step_data->>'changeGate' = 'held'
         RETURNING r.id
       )
       SELECT (SELECT count(*)::int FROM t) AS opened, ARRAY(SELECT id FROM r) AS ids`,
      [c.id, n, this.config.REMEDIATION_DEADLINE_S],
    )) as [{ opened: number; ids: string[] }];
    post.release.push(...row.ids);
    return row.opened;
  }

  /**
   * Of `free` starts, those the queues allow: none while remediation jobs already wait for a lane
   * (or remediations wait to be taken up) at CAMPAIGN_START_JOBS_MAX, or while the campaign's
   * regions already have a full send backlog (batched commands requested, not yet sent) at
   * CAMPAIGN_START_BACKLOG_MAX per region. At
   * 100,000 targets and 100 % concurrency every target started at once and waited minutes in
   * both queues: the queues, not the servers, made each target slow, and holding them cost work
   * (ticks counting 50,000 running targets, safety wake-ups) that slowed the whole run. A held
   * campaign looks again in 500 ms: jobs ending and sends going out do not wake it.
   */
  private async startsTheQueuesAllow(q: SqlRunner, c: CampaignEntity, free: number, post: PostCommit): Promise<number> {
    let allowed = free;
    const jobsMax = this.config.CAMPAIGN_START_JOBS_MAX;
    if (jobsMax > 0) {
      // Unknown (Redis unreadable) holds too: a start would not reach the queue either.
      const waiting = await this.dispatcher.waitingJobs().catch(() => null);
      // Remediations not taken up yet count too: a new start's job sleeps as a safety net while
      // the worker's start lanes take it, so a tick that saw no job waiting started 17,000 at once
      // at 100,000 (5,000 jobs then waited, when the lanes left them to their safety jobs).
      const [{ n: notBegun }] = await q(`SELECT count(*)::int AS n FROM (SELECT 1 FROM remediations WHERE state = 'queued' LIMIT $1) r`, [jobsMax]);
      allowed = waiting === null ? 0 : startsUnderQueue(allowed, waiting + notBegun, jobsMax);
    }
    const backlogMax = this.config.CAMPAIGN_START_BACKLOG_MAX * c.regions.length;
    if (allowed > 0 && backlogMax > 0) {
      // Counted as the dispatcher claims (batch-claim-sql.ts): a run whose remediation ended or is
      // being cancelled is never sent, so it holds nothing. The count stops at the limit.
      const [{ n: backlog }] = await q(
        `SELECT count(*)::int AS n FROM (
           SELECT 1 FROM command_runs c
            CROSS JOIN LATERAL (SELECT 1 FROM remediations r
                   WHERE r.id = c.remediation_id AND r.state = 'running' AND NOT r.cancel_requested OFFSET 0) r
            WHERE c.region = ANY($1::varchar[]) AND c.status = 'requested' AND c.batch_key IS NOT NULL
            LIMIT $2) b`,
        [c.regions, backlogMax],
      );
      allowed = startsUnderQueue(allowed, backlog, backlogMax);
    }
    if (allowed < free) {
      const soon = new Date(Date.now() + 500);
      if (!post.wakeAt || post.wakeAt > soon) post.wakeAt = soon;
    }
    return allowed;
  }

  /** Counters say nothing is active; make sure (a wrong counter must not end a campaign early). */
  private async nothingActive(q: SqlRunner, id: string, state: CampaignState): Promise<boolean> {
    const states = state === 'running' || state === 'paused' ? `('pending','running','parked','approved')` : `('running','parked','approved')`;
    const [row] = await q(`SELECT EXISTS (SELECT 1 FROM campaign_targets WHERE campaign_id = $1 AND state IN ${states}) AS busy`, [id]);
    if (row.busy) this.log.warn(`campaign ${id}: counters said idle but targets are still active; not finishing`);
    return !row.busy;
  }

  private async saveWaves(q: SqlRunner, id: string, st: TickState): Promise<void> {
    const ws = [...st.touchedWaves].map((n) => st.waves.get(n)!).filter(Boolean);
    if (!ws.length) return;
    await q(
      `UPDATE campaign_waves w SET started = u.started, finished = u.finished, ok = u.ok, cleared_ok = u.cleared_ok, fixed_ok = u.fixed_ok, errors = u.errors, unreachable = u.unreachable,
              started_at = u.started_at, done_at = u.done_at, run_ms_sum = u.run_ms_sum, runs_timed = u.runs_timed, run_s2_sum = u.run_s2_sum, last_start_at = u.last_start_at
         FROM jsonb_to_recordset($2::jsonb) AS u(wave int, started int, finished int, ok int, cleared_ok int, fixed_ok int, errors int, unreachable int, started_at timestamptz, done_at timestamptz,
                                                run_ms_sum bigint, runs_timed int, run_s2_sum float8, last_start_at timestamptz)
        WHERE w.campaign_id = $1 AND w.wave = u.wave`,
      [
        id,
        JSON.stringify(
          ws.map((w) => ({
            wave: w.wave,
            started: w.started,
            finished: w.finished,
            ok: w.ok,
            cleared_ok: w.clearedOk,
            fixed_ok: w.fixedOk,
            errors: w.errors,
            unreachable: w.unreachable,
            started_at: w.startedAt,
            done_at: w.doneAt,
            run_ms_sum: w.runMsSum,
            runs_timed: w.runsTimed,
            run_s2_sum: w.runS2Sum,
            last_start_at: w.lastStartAt,
          })),
        ),
      ],
    );
  }

  /**
   * Queues each new remediation's job. With the inline path on, that job is only a safety net
   * (due after BATCH_SAFETY_WAKE_MS) and the first steps run at once in this process, in the
   * background (a tick must not wait on them): their rows are read in one statement and each job
   * is only rescheduled, not taken, run and put back. A crash mid-way leaves the safety job;
   * every step is a compare-and-set, so the job and the inline path never apply one twice.
   */
  private async startRemediations(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const inline = this.inline?.enabled ? this.inline : undefined;
    const delay = inline ? this.config.BATCH_SAFETY_WAKE_MS : 0;
    const queued = await Promise.all(ids.map((id) => this.dispatcher.dispatch(id, delay, CAMPAIGN_JOB_PRIORITY)));
    // Only those with a safety job: the rest wait for the reconciler, as without the inline path.
    const start = ids.filter((_, i) => queued[i]);
    if (inline && start.length) void inline.start(start).catch((err) => this.log.warn(`inline start of ${start.length} remediation(s): ${(err as Error).message}; their jobs take over`));
  }

  /** Held remediations whose gate a tick opened go on at once (inline, or by waking their job). */
  private async advanceReleased(ids: string[]): Promise<void> {
    if (this.inline?.enabled) {
      void this.inline.advance(ids).catch((err) => this.log.warn(`advancing ${ids.length} released remediation(s): ${(err as Error).message}; their jobs take over`));
      return;
    }
    await Promise.all(ids.map((id) => this.dispatcher.wake(id, 10_000, CAMPAIGN_JOB_PRIORITY)));
  }

  private async afterCommit(post: PostCommit): Promise<void> {
    const actor = post.campaign?.actor ? { ...post.campaign.actor, source: 'campaign' } : { keyId: null, role: 'fleet', source: 'campaign' };
    // If Redis is down the rows stay queued and the reconciler enqueues them later.
    await this.startRemediations(post.dispatch);
    if (post.release.length) await this.advanceReleased(post.release);
    for (const id of post.approve) {
      try {
        await this.remediations.approve(id, actor);
      } catch (err) {
        // Expired or already moved: the next harvest records what it became.
        this.log.warn(`approval of campaign remediation ${id} not applied: ${(err as Error).message}`);
        // The instance is no longer its tenant's (the live inventory says so): never restart it;
        // it parked before any change, so cancelling it leaves the server as it was.
        if (err instanceof RemediationNotFoundError) await this.remediations.cancel(id, actor).catch(() => undefined);
      }
    }
    for (const id of post.cancel) {
      try {
        await this.remediations.cancel(id, actor);
      } catch (err) {
        this.log.debug(`cancel of campaign remediation ${id}: ${(err as Error).message}`);
      }
    }
    // Webhooks of this tick's events and of those the API recorded (pause, cancel) since.
    if (post.campaign?.callbackUrl) await this.notifier.notify(post.campaign, await listUndeliveredFor(this.ds, post.campaign.id, CAMPAIGN_WEBHOOK_EVENTS));
    if (post.campaign && post.wakeAt) await this.waker.wake(post.campaign.id, post.wakeAt);
  }
}

/**
 * The claim, one statement: the next pending targets in list order (locked, skipping locked
 * ones), an ordinary remediation for each — unless the instance already has an active one
 * (the partial unique index decides: ON CONFLICT DO NOTHING, and the target is `skipped`) —
 * their `created` timeline events, and the targets linked to them.
 */
const CLAIM_SQL = `
  WITH picked AS (
    SELECT seq, instance_id, region, tenant_id FROM campaign_targets
     WHERE campaign_id = $1 AND seq >= $12 AND state = 'pending' ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
  ), rem AS (
    INSERT INTO remediations (instance_id, region, tenant_id, mode, strategy, license_server, licensing_mode, allow_reboot,
                              source, actor, state, step, deadline_at, step_data)
    SELECT p.instance_id, p.region, p.tenant_id, $3, $4, $5, $6, $7, 'campaign', $8::jsonb, 'queued', 'precheck',
           now() + ($9::int * interval '1 second'),
           CASE WHEN $13::text = 'open' THEN '{}'::jsonb ELSE jsonb_build_object('changeGate', $13::text) END
      FROM picked p ORDER BY p.seq
    ON CONFLICT (instance_id) WHERE state <> 'finished' DO NOTHING
    RETURNING id, instance_id, step
  ), ev AS (
    INSERT INTO timeline_events (remediation_id, type, step, message, actor)
    SELECT rem.id, 'created', rem.step, $10, $8::jsonb FROM rem
  ), upd AS (
    UPDATE campaign_targets t
       SET state = CASE WHEN rem.id IS NULL THEN 'done' ELSE 'running' END,
           remediation_id = rem.id, wave = $11, started_at = now(), change_gate = $13,
           outcome = CASE WHEN rem.id IS NULL THEN 'skipped' END,
           reason = CASE WHEN rem.id IS NULL THEN 'active_remediation_elsewhere' END,
           finished_at = CASE WHEN rem.id IS NULL THEN now() END
      FROM picked p LEFT JOIN rem ON rem.instance_id = p.instance_id
     WHERE t.campaign_id = $1 AND t.seq = p.seq
    RETURNING t.seq, t.remediation_id
  )
  SELECT seq, remediation_id FROM upd ORDER BY seq`;

/**
 * A target that ended before its change gate opened changed nothing. Cancelled by a stop (or held
 * past its deadline), it was never started as far as the server is concerned: not_started.
 */
function beforeTheGate(m: MappedOutcome, remReason: string | null, c: CampaignEntity): MappedOutcome {
  if (m.outcome !== 'cancelled' || c.state === 'cancelling') return m;
  if (remReason === 'held_past_deadline') return { outcome: 'not_started', reason: 'held_past_deadline', budget: 'none' };
  if (c.state === 'stopping') return { outcome: 'not_started', reason: notStartedReason(c.state, c.stop?.kind ?? null), budget: 'none' };
  return m;
}
