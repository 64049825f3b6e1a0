import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandRunEntity, CommandRunStatus } from '../entities';
import { fromRow, insertColumns } from './row-mapping';
import { columnList, preparedQuery } from './prepared-query';

/**
 * command_runs I/O. Every transition is a compare-and-set: on the status, and from `sending` on
 * the send epoch too (the fencing token, docs/at-most-once.md). Stored times come from one clock,
 * PostgreSQL's now(), never the worker's.
 */
@Injectable()
export class CommandRunRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(CommandRunEntity);
  }

  async find(remediationId: string, purpose: string, attempt: number): Promise<CommandRunEntity | null> {
    const rows = await preparedQuery(this.ds, `SELECT ${this.columns} FROM command_runs WHERE remediation_id = $1 AND purpose = $2 AND attempt = $3`, [remediationId, purpose, attempt]);
    return rows.length ? this.fromRow(rows[0]) : null;
  }

  async findById(id: string): Promise<CommandRunEntity | null> {
    const rows = await preparedQuery(this.ds, `SELECT ${this.columns} FROM command_runs WHERE id = $1`, [id]);
    return rows.length ? this.fromRow(rows[0]) : null;
  }

  private cachedColumns?: string;
  /** The explicit result columns of the hot statements (prepared-query.ts says why not `*`). */
  private get columns(): string {
    return (this.cachedColumns ??= columnList(this.repo.metadata));
  }

  private fromRow(raw: Record<string, unknown>): CommandRunEntity {
    return fromRow<CommandRunEntity>(this.repo.metadata, raw);
  }

  listForRemediation(remediationId: string): Promise<CommandRunEntity[]> {
    return this.repo.find({ where: { remediationId }, order: { requestedAt: 'ASC' } });
  }

  /** PostgreSQL's clock: the one clock for every stored time and every window derived from one. */
  async dbNow(): Promise<Date> {
    const rows: { now: Date }[] = await this.ds.query('SELECT now() AS now');
    return new Date(rows[0].now);
  }

  /** Inserts the request row; if another worker inserted it first, returns theirs. */
  insertOrGet(row: Partial<CommandRunEntity>): Promise<CommandRunEntity> {
    return this.request(row);
  }

  /**
   * The request row and, only when this call inserted it, its `command_requested` event: one
   * statement (a second worker racing for the same run gets the first one's row and writes no
   * duplicate event). Both paths, single and batched, request through here.
   */
  async request(row: Partial<CommandRunEntity>, event?: { message: string; data: Record<string, unknown> }): Promise<CommandRunEntity> {
    const { columns, placeholders, params } = insertColumns(this.repo.metadata, row);
    let written = '';
    if (event) {
      params.push(event.message, JSON.stringify(event.data));
      written = `, e AS (INSERT INTO timeline_events (remediation_id, type, step, message, data)
                 SELECT remediation_id, 'command_requested', step, $${params.length - 1}, $${params.length}::jsonb || jsonb_build_object('commandRunId', id) FROM r)`;
    }
    const rows = await preparedQuery(
      this.ds,
      `WITH r AS (INSERT INTO command_runs (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) ON CONFLICT DO NOTHING RETURNING *)${written} SELECT ${this.columns} FROM r`,
      params,
    );
    if (rows.length) return this.fromRow(rows[0]);
    const existing = await this.find(row.remediationId!, row.purpose!, row.attempt ?? 1);
    if (!existing) throw new Error(`command run ${row.purpose} of ${row.remediationId} conflicted but cannot be read`);
    return existing;
  }

  /**
   * `requested -> sending`: claims the send and returns the new epoch (the fencing token), or
   * null when another runner claimed it first. `sending_at` is now(); lookups of an unknown
   * outcome stop `lookupS` seconds later.
   */
  async beginSend(id: string, lookupS: number): Promise<{ epoch: number; sendingAt: Date } | null> {
    const secs = Math.max(1, Math.round(lookupS));
    const rows: unknown = await this.ds.query(
      `UPDATE command_runs
          SET status = 'sending', send_epoch = send_epoch + 1, sending_at = now(),
              lookup_until = now() + make_interval(secs => $2), send_unknown_at = NULL, lookup_count = 0
        WHERE id = $1 AND status = 'requested'
        RETURNING send_epoch, sending_at`,
      [id, secs],
    );
    const row = firstRow<{ send_epoch: number; sending_at: Date }>(rows);
    return row ? { epoch: row.send_epoch, sendingAt: new Date(row.sending_at) } : null;
  }

  /**
   * `sending -> pending` with the provider's command id, for the holder of `epoch` only.
   * `sentAt`: 'now' after a send that answered; 'sending' when the command was found by marker
   * (it was sent at the claim, not now). The deadline counts from then.
   */
  async markSent(id: string, epoch: number, commandId: string, timeoutS: number, sentAt: 'now' | 'sending'): Promise<boolean> {
    const at = sentAt === 'now' ? 'now()' : 'coalesce(sending_at, now())';
    const rows = await this.ds.query(
      `UPDATE command_runs
          SET status = 'pending', command_id = $3, sent_at = ${at}, timeout_at = ${at} + make_interval(secs => $4)
        WHERE id = $1 AND status = 'sending' AND send_epoch = $2
        RETURNING id`,
      [id, epoch, commandId, Math.max(1, Math.round(timeoutS))],
    );
    return firstRow(rows) !== null;
  }

  /** The sender of `epoch` learned that its send's outcome is unknown (kept at the first time). */
  async markSendUnknown(id: string, epoch: number): Promise<boolean> {
    const rows = await this.ds.query(
      `UPDATE command_runs SET send_unknown_at = coalesce(send_unknown_at, now())
        WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id`,
      [id, epoch],
    );
    return firstRow(rows) !== null;
  }

  /**
   * `sending -> requested`, for the holder of `epoch` only. The caller must know the send did
   * not reach the channel (refused before it ran, or throttled), or the command is read-only.
   */
  async resetUnsent(id: string, epoch: number): Promise<boolean> {
    const rows = await this.ds.query(
      `UPDATE command_runs SET status = 'requested', sending_at = NULL, lookup_until = NULL, send_unknown_at = NULL
        WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id`,
      [id, epoch],
    );
    return firstRow(rows) !== null;
  }

  /** `sending -> rejected | send_outcome_unknown`, for the holder of `epoch` only. */
  async closeSend(id: string, epoch: number, status: 'rejected' | 'send_outcome_unknown', error: string): Promise<boolean> {
    const rows = await this.ds.query(
      `UPDATE command_runs SET status = $3, error = $4, finished_at = now()
        WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id`,
      [id, epoch, status, error.slice(0, 1000)],
    );
    return firstRow(rows) !== null;
  }

  /** One more lookup by marker that found nothing (for the timeline and the summary). */
  async countLookup(id: string, epoch: number): Promise<void> {
    await this.ds.query(`UPDATE command_runs SET lookup_count = lookup_count + 1 WHERE id = $1 AND status = 'sending' AND send_epoch = $2`, [id, epoch]);
  }

  /**
   * Compare-and-set on status and epoch (poll results, abandon): only one runner can move a run
   * from `from` to the next status; `finishedAt: 'now'` stamps PostgreSQL's clock.
   */
  async transition(id: string, from: CommandRunStatus[], patch: Partial<CommandRunEntity>, epoch?: number): Promise<boolean> {
    const qb = this.repo
      .createQueryBuilder()
      .update(CommandRunEntity)
      .set(patch as never)
      .where('id = :id AND status IN (:...from)', { id, from });
    if (epoch !== undefined) qb.andWhere('send_epoch = :epoch', { epoch });
    const res = await qb.execute();
    return (res.affected ?? 0) > 0;
  }

  async update(id: string, patch: Partial<CommandRunEntity>): Promise<void> {
    await this.repo.update({ id }, patch as never);
  }
}

/** pg's UPDATE ... RETURNING through TypeORM answers [rows, count]; a SELECT answers rows. */
function firstRow<T>(result: unknown): T | null {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return Array.isArray(rows) && rows.length > 0 ? rows[0] : null;
}
