import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@rdpfix/domain';
import { CancelTooLateError, RemediationService } from '@rdpfix/remediation';
import { CAMPAIGN_EVENT_TYPES, isFinal } from '../domain/campaign-state';
import { CampaignInputError, CampaignNotFoundError, CampaignStateError } from '../domain/field-error';
import { TARGET_OUTCOMES } from '../domain/target-outcome';
import { CampaignActor, CampaignEntity } from '../entities';
import { CampaignEventRepository } from '../events/campaign-event.repository';
import { CampaignCreator, CreationOutcome, RetryOverrides } from '../creation/campaign-creator';
import { INSTANCE_ID_PATTERN } from '../intake/target-row';
import { CampaignRepository } from '../persistence/campaign.repository';
import { runnerOf } from '../persistence/sql-runner';
import type { TenantScope } from '../read/campaign-queries';
import { CampaignWaker } from '../scheduler/campaign-waker';

/** What a cancel did to one target that was in flight (the honest answer of POST …/cancel). */
export type CancelEffect =
  | 'stopped_now'
  | 'stopped_before_any_change'
  | 'finishes_the_change_in_progress_then_stops'
  | 'restart_not_stopped_if_already_sent'
  | 'already_changed_verification_continues'
  | 'restart_in_progress'
  | 'verification_in_progress'
  | 'already_finished';

const EFFECT_TEXT: Record<CancelEffect, string> = {
  stopped_now: 'stopped; nothing more will run on it',
  stopped_before_any_change: 'stops before any change (a running read-only diagnose is cancelled at the provider)',
  finishes_the_change_in_progress_then_stops: 'a change is running on the server: it finishes (so its before/after values are recorded), then nothing more',
  restart_not_stopped_if_already_sent: 'the fix is applied; the restart is not sent if it was not already, but a restart already sent cannot be stopped',
  already_changed_verification_continues: 'the changes are done; verification continues so the result is known',
  restart_in_progress: 'not stopped: the restart was sent and cannot be called back; the server is verified when it is back',
  verification_in_progress: 'not stopped: every change is applied and only the read-only verification is left',
  already_finished: 'it had already finished',
};

export const DEFAULT_RETRY_OUTCOMES = ['failed', 'timed_out', 'unreachable', 'not_started'];
const MAX_APPROVE_IDS = 10_000;

/**
 * Durable control of a campaign: every change is a state in PostgreSQL written under the
 * campaign's row lock (so it survives API/worker restarts and a closed CLI); the scheduler acts
 * on it at its next tick, which this wakes.
 */
@Injectable()
export class CampaignControl {
  private readonly log = new Logger(CampaignControl.name);

  constructor(
    private readonly ds: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly events: CampaignEventRepository,
    private readonly waker: CampaignWaker,
    private readonly creator: CampaignCreator,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The app's own RemediationService (the API provides it once; campaigns use that one). */
  private get remediations(): RemediationService {
    return this.moduleRef.get(RemediationService, { strict: false });
  }

  private async locked<T>(id: string, scope: TenantScope, fn: (m: EntityManager, c: CampaignEntity) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      const c = await this.campaigns.lock(m, id);
      if (!c || (scope !== null && c.tenantId !== scope)) throw new CampaignNotFoundError(id);
      return fn(m, c);
    });
  }

  /** Draining pause: nothing new starts; what is in flight finishes. Pausing a paused campaign is a no-op. */
  async pause(id: string, who: Principal, scope: TenantScope): Promise<CampaignEntity> {
    await this.locked(id, scope, async (m, c) => {
      if (c.state === 'paused') return;
      if (c.state !== 'running') throw new CampaignStateError(id, c.state, 'only a running campaign can be paused');
      await this.campaigns.update(m, id, { state: 'paused' });
      await this.events.append(m, id, [{ type: CAMPAIGN_EVENT_TYPES.paused, message: `paused: nothing new starts; ${c.counts.running ?? 0} in flight finish`, data: { state: 'paused', inFlight: c.counts.running ?? 0 }, actor: actorOf(who) }]);
    });
    await this.waker.wake(id);
    return (await this.campaigns.findById(id))!;
  }

  /** Resume starts pending targets again; finished targets are never re-run (they are not pending). */
  async resume(id: string, who: Principal, scope: TenantScope): Promise<CampaignEntity> {
    await this.locked(id, scope, async (m, c) => {
      if (c.state === 'running') return;
      if (c.state !== 'paused') throw new CampaignStateError(id, c.state, 'only a paused campaign can be resumed');
      await this.campaigns.update(m, id, { state: 'running' });
      await this.events.append(m, id, [{ type: CAMPAIGN_EVENT_TYPES.resumed, message: `resumed: ${c.counts.pending ?? 0} target(s) still to start`, data: { state: 'running', pending: c.counts.pending ?? 0 }, actor: actorOf(who) }]);
    });
    await this.waker.wake(id);
    return (await this.campaigns.findById(id))!;
  }

  /**
   * Cancel: nothing new starts, every remediation in flight is cancelled through the normal
   * remediation cancel path (which cancels a running read-only command at the provider and
   * never interrupts a change), and targets waiting for approval are cancelled by the
   * scheduler. The answer says, per target in flight, what that means.
   */
  async cancel(id: string, who: Principal, scope: TenantScope) {
    const before = await this.locked(id, scope, async (m, c) => {
      if (isFinal(c.state)) throw new CampaignStateError(id, c.state, 'it has already ended');
      if (c.state !== 'cancelling') {
        await this.campaigns.update(m, id, { state: 'cancelling', state_reason: `cancelled by ${who.name}` });
        await this.events.append(m, id, [
          { type: CAMPAIGN_EVENT_TYPES.cancelRequested, message: `cancel requested: ${c.counts.pending ?? 0} not started will not start, ${c.counts.running ?? 0} in flight are cancelled`, data: { state: 'cancelling' }, actor: actorOf(who) },
        ]);
      }
      return c;
    });
    const inFlight: { instance_id: string; remediation_id: string }[] = await this.ds.query(
      `SELECT t.instance_id, t.remediation_id FROM campaign_targets t WHERE t.campaign_id = $1 AND t.state = 'running' ORDER BY t.seq`,
      [id],
    );
    const actor = { ...actorOf(who), source: 'campaign' };
    // A few at a time: a campaign may have hundreds in flight.
    const targets: { instanceId: string; remediationId: string; step: string; effect: CancelEffect; explanation: string }[] = new Array(inFlight.length);
    let next = 0;
    const cancelOne = async (): Promise<void> => {
      for (let i = next++; i < inFlight.length; i = next++) {
        const t = inFlight[i];
        let effect: CancelEffect;
        let step = 'unknown';
        try {
          const r = await this.remediations.cancel(t.remediation_id, actor);
          step = r.step;
          effect = r.state === 'finished' ? 'stopped_now' : effectOfStep(r.step);
        } catch (err) {
          this.log.debug(`cancel of ${t.remediation_id}: ${(err as Error).message}`);
          // Refused because it is too late (restart sent, verification left): say so, honestly.
          effect = err instanceof CancelTooLateError ? err.code : 'already_finished';
          if (err instanceof CancelTooLateError) step = err.code === 'verification_in_progress' ? 'verify' : 'reboot';
        }
        targets[i] = { instanceId: t.instance_id, remediationId: t.remediation_id, step, effect, explanation: EFFECT_TEXT[effect] };
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, inFlight.length) }, cancelOne));
    await this.waker.wake(id);
    const after = (await this.campaigns.findById(id))!;
    const waiting = (before.counts.parked ?? 0) + (before.counts.approved ?? 0);
    return {
      campaign: after,
      cancel: {
        notStarted: { count: before.counts.pending ?? 0, effect: 'will not start (outcome not_started)' },
        inFlight: { count: targets.length, targets },
        awaitingApproval: { count: waiting, effect: 'cancelled by the scheduler within seconds; nothing more is changed on them (changes applied before they parked stay, see each remediation)' },
      },
    };
  }

  /**
   * Approves the restart of targets parked in awaiting_approval: all of them (`all: true`) or
   * those matching instanceIds / region / wave. They resume within the campaign's cap.
   */
  async approve(id: string, body: unknown, who: Principal, scope: TenantScope): Promise<{ campaign: CampaignEntity; approved: number }> {
    const f = parseApproveBody(body);
    const approved = await this.locked(id, scope, async (m, c) => {
      if (c.state !== 'running' && c.state !== 'paused') throw new CampaignStateError(id, c.state, 'approvals are taken only while the campaign is running or paused');
      const params: unknown[] = [id];
      const where: string[] = [];
      if (f.instanceIds) {
        params.push(f.instanceIds);
        where.push(`t.instance_id = ANY($${params.length}::text[])`);
      }
      if (f.region) {
        params.push(f.region);
        where.push(`t.region = $${params.length}`);
      }
      if (f.wave !== undefined) {
        params.push(f.wave);
        where.push(`t.wave = $${params.length}`);
      }
      // Parked targets, and running ones whose remediation parked since the last tick.
      const rows = await runnerOf(m)(
        `UPDATE campaign_targets t
            SET state = CASE WHEN t.state = 'parked' THEN 'approved' ELSE t.state END, approval_requested_at = now()
           FROM remediations r
          WHERE t.campaign_id = $1 AND r.id = t.remediation_id AND t.approval_requested_at IS NULL
            AND (t.state = 'parked' OR (t.state = 'running' AND r.state = 'awaiting_approval'))
            ${where.length ? `AND ${where.join(' AND ')}` : ''}
          RETURNING t.state`,
        params,
      );
      const moved = rows.filter((r) => r.state === 'approved').length;
      if (moved) {
        const counts = { ...c.counts, parked: Math.max(0, (c.counts.parked ?? 0) - moved), approved: (c.counts.approved ?? 0) + moved };
        await this.campaigns.update(m, id, { counts });
      }
      if (rows.length) {
        await this.events.append(m, id, [{ type: CAMPAIGN_EVENT_TYPES.approved, message: `restart approved for ${rows.length} target(s)`, data: { approved: rows.length, filter: f }, actor: actorOf(who) }]);
      }
      return rows.length;
    });
    if (approved) await this.waker.wake(id);
    return { campaign: (await this.campaigns.findById(id))!, approved };
  }

  /** A child campaign over the parent's targets with the given outcomes, with the parent's parameters. */
  async retry(id: string, body: unknown, who: Principal, scope: TenantScope): Promise<CreationOutcome> {
    const parent = await this.campaigns.findById(id);
    if (!parent || (scope !== null && parent.tenantId !== scope)) throw new CampaignNotFoundError(id);
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b !== 'object' || Array.isArray(b)) throw CampaignInputError.of('body', 'the body must be a JSON object');
    for (const k of Object.keys(b)) {
      if (!['outcomes', 'maxConcurrency', 'maxErrors', 'maxUnreachable', 'waves', 'waveBakeSeconds', 'name'].includes(k)) throw CampaignInputError.of(k, `unknown field "${k}"`);
    }
    let outcomes = DEFAULT_RETRY_OUTCOMES;
    if (b.outcomes !== undefined) {
      const list = typeof b.outcomes === 'string' ? b.outcomes.split(',').map((s) => s.trim()) : b.outcomes;
      if (!Array.isArray(list) || list.length === 0 || list.some((o) => typeof o !== 'string' || !(TARGET_OUTCOMES as readonly string[]).includes(o))) {
        throw CampaignInputError.of('outcomes', `outcomes must be a non-empty list of: ${TARGET_OUTCOMES.join(', ')}`);
      }
      outcomes = [...new Set(list as string[])];
    }
    if (!isFinal(parent.state)) throw new CampaignStateError(id, parent.state, 'retry a campaign once it has ended (cancel or wait for it first)');
    return this.creator.retry(parent, outcomes, b as RetryOverrides, who);
  }
}

export function effectOfStep(step: string): CancelEffect {
  switch (step) {
    case 'precheck':
    case 'diagnose':
    case 'plan':
      return 'stopped_before_any_change';
    case 'apply':
      return 'finishes_the_change_in_progress_then_stops';
    case 'reboot':
      return 'restart_not_stopped_if_already_sent';
    case 'verify':
      return 'already_changed_verification_continues';
    default:
      return 'already_finished';
  }
}

function actorOf(p: Principal): CampaignActor {
  return { keyId: p.keyId, role: p.role, source: 'api' };
}

function parseApproveBody(body: unknown): { all: boolean; instanceIds?: string[]; region?: string; wave?: number } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw CampaignInputError.of('body', 'send {"all": true} or a filter: instanceIds, region, wave');
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!['all', 'instanceIds', 'region', 'wave'].includes(k)) throw CampaignInputError.of(k, `unknown field "${k}"`);
  const out: { all: boolean; instanceIds?: string[]; region?: string; wave?: number } = { all: b.all === true };
  if (b.all !== undefined && typeof b.all !== 'boolean') throw CampaignInputError.of('all', 'all must be true or false');
  if (b.instanceIds !== undefined) {
    if (!Array.isArray(b.instanceIds) || b.instanceIds.length === 0 || b.instanceIds.length > MAX_APPROVE_IDS) {
      throw CampaignInputError.of('instanceIds', `instanceIds must be a list of 1 to ${MAX_APPROVE_IDS} instance ids`);
    }
    b.instanceIds.forEach((v, i) => {
      if (typeof v !== 'string' || !INSTANCE_ID_PATTERN.test(v)) throw CampaignInputError.of(`instanceIds[${i}]`, `instanceIds[${i}] is not an instance id`);
    });
    out.instanceIds = b.instanceIds as string[];
  }
  if (b.region !== undefined) {
    if (typeof b.region !== 'string' || !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/.test(b.region)) throw CampaignInputError.of('region', 'region must be a region name like eu-west-1');
    out.region = b.region;
  }
  if (b.wave !== undefined) {
    if (typeof b.wave !== 'number' || !Number.isInteger(b.wave) || b.wave < 1 || b.wave > 100) throw CampaignInputError.of('wave', 'wave must be a wave number');
    out.wave = b.wave;
  }
  if (!out.all && !out.instanceIds && !out.region && out.wave === undefined) {
    throw CampaignInputError.of('all', 'approving restarts needs an explicit {"all": true} or a filter (instanceIds, region, wave)');
  }
  if (out.all && (out.instanceIds || out.region || out.wave !== undefined)) throw CampaignInputError.of('all', 'give either all: true or a filter, not both');
  return out;
}
