import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandRunEntity, CommandRunStatus } from '../entities';
import { fromRow, insertColumns } from './row-mapping';
import { columnList, preparedQuery } from './prepared-query';
import { StatementCoalescer } from './statement-coalescer';

/** A request row and its `command_requested` event (written only when the row is new). */
interface RunRequest {
  row: Partial<CommandRunEntity>;
  event?: { message: string; data: Record<string, unknown> };
}

/** Requests joined into one statement at most (statement-coalescer.ts). */
const MAX_REQUESTS_PER_STATEMENT = 100;

/**
 * command_runs I/O. Every transition is a compare-and-set: on the status, and from `sending` on
 * the send epoch too (the fencing token, docs/at-most-once.md). Stored times come from one clock,
 * PostgreSQL's now(), never the worker's.
 */
@Injectable()
export class CommandRunRepository {
  /** The inserted row, or null when the run existed already (the caller reads that one). */
  private readonly requests = new StatementCoalescer<RunRequest, CommandRunEntity | null>({
    key: (q) => q.row.remediationId ?? '',
    one: (q) => this.insertRequest(q),
    many: (qs) => this.insertRequests(qs),
    max: MAX_REQUESTS_PER_STATEMENT,
  });

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
    // Only batched (campaign) requests share statements: a single fix's request goes alone.
    const inserted = row.batchKey ? await this.requests.run({ row, event }) : await this.insertRequest({ row, event });
    if (inserted) return inserted;
    const existing = await this.find(row.remediationId!, row.purpose!, row.attempt ?? 1);
    if (!existing) throw new Error(`command run ${row.purpose} of ${row.remediationId} conflicted but cannot be read`);
    return existing;
  }

  private async insertRequest({ row, event }: RunRequest): Promise<CommandRunEntity | null> {
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
    return rows.length ? this.fromRow(rows[0]) : null;
  }

  /**
   * Many request rows in one statement per set of columns given (a column a request leaves out
   * takes its default, so requests naming different columns cannot share a VALUES list). Rows
   * travel as JSON keyed by column and are typed by PostgreSQL (jsonb_populate_recordset on the
   * table's row type); the events are written for the rows actually inserted.
   */
  private async insertRequests(qs: RunRequest[]): Promise<(CommandRunEntity | null)[]> {
    const meta = this.repo.metadata;
    const groups = new Map<string, { cols: string[]; items: { q: RunRequest; json: Record<string, unknown> }[] }>();
    for (const q of qs) {
      const json: Record<string, unknown> = {};
      for (const c of meta.columns) {
        const v = (q.row as Record<string, unknown>)[c.propertyName];
        if (v !== undefined) json[c.databaseName] = v;
      }
      const cols = Object.keys(json);
      const g = groups.get(cols.join(',')) ?? { cols, items: [] };
      g.items.push({ q, json });
      groups.set(cols.join(','), g);
    }
    const inserted = new Map<string, CommandRunEntity>();
    const runKey = (remediationId: unknown, purpose: unknown, attempt: unknown) => `${remediationId}|${purpose}|${attempt ?? 1}`;
    await Promise.all(
      [...groups.values()].map(async (g) => {
        const events = g.items.flatMap(({ q }) =>
          q.event ? [{ rid: q.row.remediationId, purpose: q.row.purpose, attempt: q.row.attempt ?? 1, message: q.event.message, data: q.event.data }] : [],
        );
        const cols = g.cols.map((c) => `"${c}"`).join(', ');
        const rows = await preparedQuery(
          this.ds,
          `WITH r AS (INSERT INTO command_runs (${cols})
                      SELECT ${cols} FROM jsonb_populate_recordset(NULL::command_runs, $1::jsonb)
                      ON CONFLICT DO NOTHING RETURNING *),
                e AS (INSERT INTO timeline_events (remediation_id, type, step, message, data)
                      SELECT r.remediation_id, 'command_requested', r.step, ev.message, ev.data || jsonb_build_object('commandRunId', r.id)
                        FROM jsonb_to_recordset($2::jsonb) AS ev(rid uuid, purpose text, attempt int, message text, data jsonb)
                        JOIN r ON r.remediation_id = ev.rid AND r.purpose = ev.purpose AND r.attempt = ev.attempt)
           SELECT ${this.columns} FROM r`,
          [JSON.stringify(g.items.map((i) => i.json)), JSON.stringify(events)],
        );
        for (const raw of rows) inserted.set(runKey(raw.remediation_id, raw.purpose, raw.attempt), this.fromRow(raw));
      }),
    );
    return qs.map((q) => inserted.get(runKey(q.row.remediationId, q.row.purpose, q.row.attempt)) ?? null);
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
