import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyMismatchError, IdempotencyService } from '@rdpfix/auth';
import { INVENTORY, Inventory, InventoryRecord } from '@rdpfix/channel';
import { AppConfig } from '@rdpfix/config';
import type { LicensingMode, Plan, Principal, RemediationMode, RemediationState, Source, Strategy, Symptom } from '@rdpfix/domain';
import { approvalText } from '@rdpfix/domain';
import {
  Actor,
  CommandRunRepository,
  RemediationEntity,
  RemediationRepository,
  TimelineRepository,
} from '@rdpfix/persistence';
import { RemediationDispatcher } from '@rdpfix/queue';
import { deadlineAfterApproval } from './approval-deadline';
import { decodeCursor, encodeCursor } from './list-cursor';
import {
  CancelTooLateError,
  InstanceNotFoundError,
  InstanceNotInRegionError,
  InventoryUnavailableError,
  NotReversibleError,
  RemediationConflictError,
  RemediationNotFoundError,
  RemediationStateError,
  RollbackExistsError,
} from './remediation-errors';
import { RollbackGuard } from './rollback-guard';
import { ActiveRemediationExistsError } from '@rdpfix/persistence';

export interface CreateRemediationInput {
  instanceId: string;
  region: string;
  mode: RemediationMode;
  strategy: Strategy;
  allowReboot: boolean;
  source: Source;
  ticketRef?: string | null;
  licenseServer?: string | null;
  licensingMode?: LicensingMode | null;
  /** Issue 7: the reported complaint and its account (cause A is the symptom, not the setting). */
  symptom?: Symptom | null;
  symptomAccount?: string | null;
  /** Issue 7: the explicit request to remove the role despite configured licensing (the DTO checked it repeats instanceId). */
  removeRoleDespiteLicensing?: string | boolean | null;
  callbackUrl?: string | null;
  rollbackOf?: string | null;
  tenantId?: string | null;
  actor?: Actor | null;
}

/** Who asks, and (optionally) the Idempotency-Key with the hash of the request it came with. */
export interface CreateContext {
  principal?: Principal | null;
  idempotency?: { key: string; requestHash: string } | null;
}

export interface ListInput {
  instanceId?: string;
  state?: RemediationState;
  ticketRef?: string;
  tenantId?: string;
  limit: number;
  cursor?: string;
}

/**
 * API-side use cases. The row is written first; the queue is only told afterwards.
 *
 * Ownership (issue 9). `tenantId` arguments are the caller's scope: a console key's tenant, or
 * undefined for support/admin keys, which act on every tenant.
 * - Reads (get, list, events) and cancel see a remediation only if its recorded tenant is the
 *   scope: the record belongs to the tenant that owned the instance when it ran. Cancelling only
 *   ever stops work, so it is not refused because the instance changed hands since.
 * - Approve and rollback make rdpfix change a server, so they are also checked against the live
 *   inventory: the instance must still belong to the remediation's tenant (and to the console
 *   key's). An instance that changed owner answers 404 and nothing is sent, whoever asks.
 * - The worker's precheck checks the recorded tenant against the inventory again before anything
 *   is sent (engine/steps/precheck.step.ts).
 */
@Injectable()
export class RemediationService {
  constructor(
    private readonly config: AppConfig,
    private readonly ds: DataSource,
    private readonly remediations: RemediationRepository,
    private readonly runs: CommandRunRepository,
    private readonly timeline: TimelineRepository,
    private readonly dispatcher: RemediationDispatcher,
    private readonly idempotency: IdempotencyService,
    private readonly rollbacks: RollbackGuard,
    @Inject(INVENTORY) private readonly inventory: Inventory,
  ) {}

  /** The instance's owner now, from the cloud inventory (503 when it cannot be asked). */
  private async currentOwner(instanceId: string, region?: string): Promise<InventoryRecord | null> {
    try {
      return await this.inventory.find(instanceId, region);
    } catch (err) {
      throw new InventoryUnavailableError(`the cloud inventory could not be asked: ${(err as Error).message}`);
    }
  }

  /** The remediation, if the scope may see it (another tenant's looks like one that does not exist). */
  private async visible(id: string, tenantId: string | undefined): Promise<RemediationEntity> {
    const r = await this.remediations.findById(id);
    if (!r || (tenantId !== undefined && r.tenantId !== tenantId)) throw new RemediationNotFoundError(id);
    return r;
  }

  /**
   * Before an action that changes a server: the instance must still be where it was and belong to
   * the remediation's tenant and to the caller's scope, per the live inventory. Returns its owner.
   */
  private async assertStillOwned(r: RemediationEntity, tenantId: string | undefined): Promise<InventoryRecord> {
    const owner = await this.currentOwner(r.instanceId, r.region);
    const ok = !!owner && owner.region === r.region && (r.tenantId === null || owner.tenantId === r.tenantId) && (tenantId === undefined || owner.tenantId === tenantId);
    if (!ok) throw new RemediationNotFoundError(r.id);
    return owner;
  }

  /**
   * Creates a remediation, or with an Idempotency-Key already seen returns the one it created
   * (`replayed`). A console key may only name instances its tenant owns in the inventory.
   */
  async create(input: CreateRemediationInput, ctx: CreateContext = {}): Promise<{ remediation: RemediationEntity; replayed: boolean }> {
    const p = ctx.principal ?? null;
    if (p?.role === 'console' && input.removeRoleDespiteLicensing) {
      // Issue 7: stripping a licensed server of its role is never a console click.
      const message = 'console keys may not request removeRoleDespiteLicensing: removing the RD Session Host role from a server whose licensing is configured needs a support or API request';
      throw new ForbiddenException({ statusCode: 403, error: 'forbidden', message, fields: [{ field: 'removeRoleDespiteLicensing', message }] });
    }
    if (p?.role === 'console') {
      const rec = await this.currentOwner(input.instanceId, input.region);
      // Another tenant's instance looks exactly like one that does not exist.
      if (!rec || rec.tenantId !== p.tenantId) throw new InstanceNotFoundError(input.instanceId);
      // The tenant's own instance in another region: say so (the tenant may know where it is).
      if (rec.region !== input.region) throw new InstanceNotInRegionError(input.instanceId, input.region, rec.region);
      input = { ...input, tenantId: p.tenantId };
    }
    if (p) input = { ...input, actor: input.actor ?? { keyId: p.keyId, role: p.role, source: input.source }, callbackUrl: input.callbackUrl ?? p.defaultCallbackUrl };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.createOnce(input, p, ctx.idempotency ?? null);
      } catch (err) {
        // A concurrent request with the same Idempotency-Key won the race: replay its result.
        if (attempt === 0 && ctx.idempotency && IdempotencyService.isDuplicate(err)) continue;
        throw err;
      }
    }
    throw new Error('unreachable');
  }

  private async createOnce(
    input: CreateRemediationInput,
    p: Principal | null,
    idem: { key: string; requestHash: string } | null,
  ): Promise<{ remediation: RemediationEntity; replayed: boolean }> {
    const row: Partial<RemediationEntity> = {
      instanceId: input.instanceId,
      region: input.region,
      tenantId: input.tenantId ?? null,
      mode: input.mode,
      strategy: input.strategy,
      allowReboot: input.allowReboot,
      source: input.source,
      ticketRef: input.ticketRef ?? null,
      licenseServer: input.licenseServer ?? null,
      licensingMode: input.licensingMode ?? null,
      symptom: input.symptom ?? null,
      symptomAccount: input.symptomAccount ?? null,
      removeRoleDespiteLicensing: !!input.removeRoleDespiteLicensing,
      callbackUrl: input.callbackUrl ?? null,
      rollbackOf: input.rollbackOf ?? null,
      actor: input.actor ?? null,
      state: 'queued',
      step: 'precheck',
      deadlineAt: new Date(Date.now() + this.config.REMEDIATION_DEADLINE_S * 1000),
    };
    const created = {
      message: `${input.mode} requested by ${input.source}${input.rollbackOf ? ` (rollback of ${input.rollbackOf})` : ''}`,
      actor: input.actor ?? null,
    };
    let remediation: RemediationEntity;
    try {
      if (idem && p) {
        // With an Idempotency-Key: look-up, insert and key record commit together.
        const outcome = await this.ds.transaction(async (m) => {
          await this.idempotency.lock(m, p.keyId, idem.key);
          const seen = await this.idempotency.find(m, p.keyId, idem.key);
          if (seen) {
            if (seen.requestHash !== idem.requestHash) throw new IdempotencyMismatchError();
            return { replay: (await this.remediations.findById(seen.remediationId, m))!, created: undefined };
          }
          const r = await this.remediations.insert(row, m, created);
          await this.idempotency.record(m, {
            apiKeyId: p.keyId,
            idempotencyKey: idem.key,
            requestHash: idem.requestHash,
            remediationId: r.id,
            expiresAt: new Date(Date.now() + this.config.IDEMPOTENCY_TTL_S * 1000),
          });
          return { replay: undefined, created: r };
        });
        if (outcome.replay) return { remediation: outcome.replay, replayed: true };
        remediation = outcome.created!;
      } else {
        remediation = await this.remediations.insert(row, undefined, created);
      }
    } catch (err) {
      if (err instanceof ActiveRemediationExistsError) {
        const active = await this.remediations.findActiveForInstance(input.instanceId);
        // It may have finished in between: then the conflict is gone and a retry would succeed.
        throw new RemediationConflictError(active?.id ?? err.activeId ?? 'unknown');
      }
      if (input.rollbackOf && RollbackGuard.isViolation(err)) {
        const other = await this.rollbacks.blocking(input.rollbackOf);
        throw new RollbackExistsError(input.rollbackOf, other?.id ?? 'unknown', other?.finished ?? false);
      }
      throw err;
    }
    // After commit: if Redis is down the row stays queued and the reconciler enqueues it later.
    await this.dispatcher.dispatch(remediation.id);
    return { remediation, replayed: false };
  }

  async get(id: string, tenantId?: string) {
    const r = await this.visible(id, tenantId);
    const [runs, events] = await Promise.all([this.runs.listForRemediation(id), this.timeline.list(id)]);
    return { remediation: r, runs, events };
  }

  async list(input: ListInput): Promise<{ items: RemediationEntity[]; nextCursor: string | null }> {
    const after = input.cursor ? decodeCursor(input.cursor) : undefined;
    const rows = await this.remediations.list({ ...input, after, limit: input.limit + 1 });
    const items = rows.slice(0, input.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > input.limit && last ? encodeCursor(last) : null;
    return { items, nextCursor };
  }

  async cancel(id: string, actor: Actor | null, tenantId?: string): Promise<RemediationEntity> {
    for (let i = 0; i < 5; i++) {
      const r = await this.visible(id, tenantId);
      if (r.state === 'finished') throw new RemediationStateError(id, r.state, 'it has already finished');
      if (r.state === 'awaiting_approval' || r.state === 'queued') {
        // Nothing is in flight: end it here, the worker will find it finished.
        const done = await this.remediations.updateIfVersion(r.id, r.version, {
          state: 'finished',
          step: 'done',
          outcome: 'cancelled',
          cancelRequested: true,
          reasonDetail:
            r.state === 'queued'
              ? 'Cancelled before it started; nothing was changed.'
              : r.changes.length > 0
                ? 'Cancelled while waiting for approval; the changes already applied stay in place (see changes).'
                : 'Cancelled while waiting for approval; nothing was changed.',
          finishedAt: new Date(),
        });
        if (!done) continue;
        await this.timeline.append({ remediationId: id, type: 'finished', message: 'finished: cancelled', data: { outcome: 'cancelled' }, actor });
        return done;
      }
      const tooLate = await this.cancelTooLate(r);
      if (tooLate) throw tooLate;
      const flagged = await this.remediations.updateIfVersion(r.id, r.version, { cancelRequested: true });
      if (!flagged) continue;
      // The restart may have been sent between the check and the flag: then say so, not "accepted".
      const lateNow = await this.cancelTooLate(flagged);
      if (lateNow) {
        await this.remediations.updateIfVersion(flagged.id, flagged.version, { cancelRequested: false });
        throw lateNow;
      }
      await this.timeline.append({ remediationId: id, type: 'cancel_requested', message: 'cancel requested; the worker stops at the next safe point', actor });
      // Takes effect at the job's next step, even if the job sits in a long poll delay.
      await this.dispatcher.wake(id);
      return flagged;
    }
    throw new RemediationStateError(id, 'busy', 'it is changing too fast; try again');
  }

  /**
   * A running remediation's cancel is honoured at the next safe point, before the next change or
   * the restart. Past the last one there is nothing left to stop: after the restart was sent (it
   * cannot be called back), or in verify (read-only). Such a cancel is refused, not ignored.
   */
  private async cancelTooLate(r: RemediationEntity): Promise<CancelTooLateError | null> {
    if (r.step === 'verify') {
      return r.rebooted
        ? new CancelTooLateError(r.id, r.state, 'restart_in_progress', 'the restart was sent and the server is being verified; the remediation ends on its own shortly')
        : new CancelTooLateError(r.id, r.state, 'verification_in_progress', 'every change is applied and only the read-only verification is left; the remediation ends on its own shortly');
    }
    if (r.step !== 'reboot') return null;
    const restart = (await this.runs.listForRemediation(r.id)).find((c) => c.step === 'reboot' && c.status !== 'requested');
    if (!restart && !r.stepData.rebootCommandDoneAt) return null;
    const at = restart?.sentAt ?? restart?.sendingAt ?? restart?.requestedAt;
    return new CancelTooLateError(
      r.id,
      r.state,
      'restart_in_progress',
      `the restart was sent${at ? ` at ${at.toISOString()}` : ''} and is under way; it cannot be called back. The remediation verifies the server when it is back`,
    );
  }

  async approve(id: string, actor: Actor | null, tenantId?: string): Promise<RemediationEntity> {
    for (let i = 0; i < 5; i++) {
      const r = await this.visible(id, tenantId);
      if (r.state !== 'awaiting_approval') throw new RemediationStateError(id, r.state, 'only a remediation awaiting approval can be approved');
      if (r.approvalExpiresAt && r.approvalExpiresAt < new Date()) throw new RemediationStateError(id, r.state, 'the approval window has closed');
      // An approval makes rdpfix restart a server: it must still be this tenant's server.
      await this.assertStillOwned(r, tenantId);
      const approvedAt = new Date();
      const deadlineAt = deadlineAfterApproval(r.deadlineAt, approvedAt, this.config);
      const approved = await this.remediations.updateIfVersion(r.id, r.version, { state: 'running', approvedAt, deadlineAt });
      if (!approved) continue;
      const extended = deadlineAt.getTime() !== r.deadlineAt.getTime();
      // Say what was approved (the plan's changes and the restart), not just "reboot".
      const plan = r.plan as Plan | null;
      const actions = plan && plan.decision === 'act' ? plan.actions : [];
      const restart = plan && plan.decision === 'act' ? plan.needsReboot : true;
      await this.timeline.append({
        remediationId: id,
        type: 'approved',
        step: r.step,
        message: `${approvalText(actions, restart, 'en')}${extended ? `; deadline moved to ${deadlineAt.toISOString()} to leave time for the restart and verification` : ''}`,
        data: { deadlineAt: deadlineAt.toISOString(), previousDeadlineAt: r.deadlineAt.toISOString(), approvedActions: actions, restart },
        actor,
      });
      await this.dispatcher.wake(id);
      return approved;
    }
    throw new RemediationStateError(id, 'busy', 'it is changing too fast; try again');
  }

  /**
   * Undo the reversible changes of a finished remediation, as a new remediation of mode
   * `rollback` (it takes the instance's one active slot like any other). Role removal is not
   * reversible and is said so plainly. A remediation is rolled back once (RollbackGuard), and only
   * while its instance still belongs to the tenant it was made for.
   */
  async rollback(id: string, actor: Actor | null, tenantId?: string): Promise<RemediationEntity> {
    const original = await this.visible(id, tenantId);
    if (original.state !== 'finished') throw new RemediationStateError(id, original.state, 'only a finished remediation can be rolled back');
    if (original.mode === 'rollback') throw new NotReversibleError(id, original.state, 'a rollback cannot itself be rolled back; start a new fix instead');
    const reversible = original.changes.filter((c) => c.reversible);
    if (reversible.length === 0) {
      // Not reversible (a change was made that cannot be undone) is not the same as a wrong state.
      if (original.changes.length) {
        throw new NotReversibleError(
          id,
          original.state,
          'its change was removing the Remote Desktop Session Host role, which is not reversible: reinstalling it would not restore the grace period and would bring the licensing lockout back',
        );
      }
      throw new RemediationStateError(id, 'finished', 'nothing to roll back: it changed nothing');
    }
    const earlier = await this.rollbacks.blocking(original.id);
    if (earlier) throw new RollbackExistsError(original.id, earlier.id, earlier.finished);
    const owner = await this.assertStillOwned(original, tenantId);
    const { remediation } = await this.create(
      {
        instanceId: original.instanceId,
        region: original.region,
        mode: 'rollback',
        strategy: original.strategy,
        allowReboot: false,
        source: actor?.source === 'console' ? 'console' : 'api',
        ticketRef: original.ticketRef,
        callbackUrl: original.callbackUrl,
        // The live owner, which assertStillOwned proved is the original's tenant.
        tenantId: owner.tenantId,
        actor,
        rollbackOf: original.id,
      },
      {},
    );
    await this.timeline.append({ remediationId: original.id, type: 'rollback_requested', message: `rollback started as ${remediation.id}`, data: { rollbackId: remediation.id }, actor });
    return remediation;
  }
}
