import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyMismatchError, IdempotencyService } from '@rdpfix/auth';
import { INVENTORY, Inventory } from '@rdpfix/channel';
import { AppConfig } from '@rdpfix/config';
import type { LicensingMode, Principal, RemediationMode, RemediationState, Source, Strategy, Symptom } from '@rdpfix/domain';
import {
  Actor,
  CommandRunRepository,
  RemediationEntity,
  RemediationRepository,
  TimelineRepository,
} from '@rdpfix/persistence';
import { RemediationDispatcher } from '@rdpfix/queue';
import {
  InstanceNotFoundError,
  InventoryUnavailableError,
  RemediationConflictError,
  RemediationNotFoundError,
  RemediationStateError,
} from './remediation-errors';
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

/** API-side use cases. The row is written first; the queue is only told afterwards. */
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
    @Inject(INVENTORY) private readonly inventory: Inventory,
  ) {}

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
      let rec;
      try {
        rec = await this.inventory.find(input.instanceId);
      } catch (err) {
        throw new InventoryUnavailableError(`the cloud inventory could not be asked: ${(err as Error).message}`);
      }
      // Another tenant's instance looks exactly like one that does not exist.
      if (!rec || rec.tenantId !== p.tenantId || rec.region !== input.region) throw new InstanceNotFoundError(input.instanceId);
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
      throw err;
    }
    // After commit: if Redis is down the row stays queued and the reconciler enqueues it later.
    await this.dispatcher.dispatch(remediation.id);
    return { remediation, replayed: false };
  }

  async get(id: string, tenantId?: string) {
    const r = await this.remediations.findById(id);
    if (!r || (tenantId !== undefined && r.tenantId !== tenantId)) throw new RemediationNotFoundError(id);
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
      const r = await this.remediations.findById(id);
      if (!r || (tenantId !== undefined && r.tenantId !== tenantId)) throw new RemediationNotFoundError(id);
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
      const flagged = await this.remediations.updateIfVersion(r.id, r.version, { cancelRequested: true });
      if (!flagged) continue;
      await this.timeline.append({ remediationId: id, type: 'cancel_requested', message: 'cancel requested; the worker stops at the next safe point', actor });
      await this.dispatcher.dispatch(id);
      return flagged;
    }
    throw new RemediationStateError(id, 'busy', 'it is changing too fast; try again');
  }

  async approve(id: string, actor: Actor | null, tenantId?: string): Promise<RemediationEntity> {
    for (let i = 0; i < 5; i++) {
      const r = await this.remediations.findById(id);
      if (!r || (tenantId !== undefined && r.tenantId !== tenantId)) throw new RemediationNotFoundError(id);
      if (r.state !== 'awaiting_approval') throw new RemediationStateError(id, r.state, 'only a remediation awaiting approval can be approved');
      if (r.approvalExpiresAt && r.approvalExpiresAt < new Date()) throw new RemediationStateError(id, r.state, 'the approval window has closed');
      const approved = await this.remediations.updateIfVersion(r.id, r.version, { state: 'running', approvedAt: new Date() });
      if (!approved) continue;
      await this.timeline.append({ remediationId: id, type: 'approved', step: r.step, message: 'reboot approved', actor });
      await this.dispatcher.dispatch(id);
      return approved;
    }
    throw new RemediationStateError(id, 'busy', 'it is changing too fast; try again');
  }

  /**
   * Undo the reversible changes of a finished remediation, as a new remediation of mode
   * `rollback` (it takes the instance's one active slot like any other). Role removal is not
   * reversible and is said so plainly.
   */
  async rollback(id: string, actor: Actor | null, tenantId?: string): Promise<RemediationEntity> {
    const original = await this.remediations.findById(id);
    if (!original || (tenantId !== undefined && original.tenantId !== tenantId)) throw new RemediationNotFoundError(id);
    if (original.state !== 'finished') throw new RemediationStateError(id, original.state, 'only a finished remediation can be rolled back');
    if (original.mode === 'rollback') throw new RemediationStateError(id, original.state, 'a rollback cannot itself be rolled back; start a new fix instead');
    const reversible = original.changes.filter((c) => c.reversible);
    if (reversible.length === 0) {
      const why = original.changes.length
        ? 'its only change was removing the Remote Desktop Session Host role, which is not reversible: reinstalling it would not restore the grace period and would bring the licensing lockout back'
        : 'it changed nothing';
      throw new RemediationStateError(id, 'finished', `nothing to roll back: ${why}`);
    }
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
        tenantId: original.tenantId,
        actor,
        rollbackOf: original.id,
      },
      {},
    );
    await this.timeline.append({ remediationId: original.id, type: 'rollback_requested', message: `rollback started as ${remediation.id}`, data: { rollbackId: remediation.id }, actor });
    return remediation;
  }
}

export function encodeCursor(r: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ c: r.createdAt.toISOString(), i: r.id })).toString('base64url');
}

export class InvalidCursorError extends Error {}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof v.c !== 'string' || Number.isNaN(Date.parse(v.c))) throw new Error('c');
    if (typeof v.i !== 'string' || !/^[0-9a-f-]{36}$/i.test(v.i)) throw new Error('i');
    return { createdAt: v.c, id: v.i };
  } catch {
    throw new InvalidCursorError('cursor is not one this API issued');
  }
}
