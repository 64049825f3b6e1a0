import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { CommandRunEntity, RemediationEntity } from '../entities';
import { fromJsonRow, fromRow, insertColumns, withPatch } from './row-mapping';
import { columnList, freshlyPlannedQuery, preparedQuery } from './prepared-query';
import { StatementCoalescer } from './statement-coalescer';
import type { RemediationState } from '@rdpfix/domain';

export class ActiveRemediationExistsError extends Error {
  constructor(readonly activeId: string | null) {
    super(`instance already has an active remediation ${activeId ?? ''}`.trim());
  }
}

/** A timeline event written with a step's row change (updateIfVersionWithEvents). */
export interface StepEvent {
  type: string;
  step: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface ListFilter {
  instanceId?: string;
  state?: RemediationState;
  ticketRef?: string;
  tenantId?: string;
  limit: number;
  /** Keyset cursor: rows strictly older than (createdAt, id). */
  after?: { createdAt: string; id: string };
}

/** A remediation row and all its command runs. */
type RowWithRuns = { row: RemediationEntity; runs: CommandRunEntity[] };

/** One engine step write: the fresh row it started from, the columns it sets, its events. */
interface StepWrite {
  r: RemediationEntity;
  set: Partial<RemediationEntity>;
  events: StepEvent[];
}

/** The compare-and-set's answer: the new version and time, or null when another writer won. */
type StepWritten = { version: number; updatedAt: Date } | null;

/** Step writes, or reads of rows with their runs, joined into one statement at most (statement-coalescer.ts). */
const MAX_ROWS_PER_STATEMENT = 100;

/** All SQL about remediation rows. Updates are compare-and-set on `version` where it matters. */
@Injectable()
export class RemediationRepository {
  private readonly stepWrites = new StatementCoalescer<StepWrite, StepWritten>({
    key: (w) => w.r.id,
    one: (w) => this.writeStep(w),
    many: (ws) => this.writeSteps(ws),
    max: MAX_ROWS_PER_STATEMENT,
  });

  /** Reads of a row with its runs asked for in one turn (woken jobs) share one statement too. */
  private readonly rowReads = new StatementCoalescer<string, RowWithRuns | null>({
    key: (id) => id,
    one: (id) => this.findByIdWithRuns(id),
    many: async (ids) => {
      const found = new Map((await this.findManyWithRuns(ids)).map((f) => [f.row.id, f]));
      return ids.map((id) => found.get(id) ?? null);
    },
    max: MAX_ROWS_PER_STATEMENT,
  });

  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(RemediationEntity);
  }

  /**
   * Inserts a new remediation and its `created` timeline event in ONE statement (a data-modifying
   * CTE is atomic on its own): one round trip instead of a transaction's five, which is most of
   * the API's cost per submission. The partial unique index turns a second active remediation
   * for the instance into a typed error.
   */
  async insert(row: Partial<RemediationEntity>, m?: EntityManager, created?: { message: string; actor: unknown }): Promise<RemediationEntity> {
    // Every column the caller set, named and typed by the entity's own metadata.
    const { columns, placeholders, params } = insertColumns(this.repo(m).metadata, row);
    const event = created
      ? `, e AS (INSERT INTO timeline_events (remediation_id, type, step, message, actor)
                 SELECT id, 'created', step, $${params.length + 1}, $${params.length + 2}::jsonb FROM r)`
      : '';
    if (created) params.push(created.message, created.actor === null || created.actor === undefined ? null : JSON.stringify(created.actor));
    const sql = `WITH r AS (INSERT INTO remediations (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING *)${event} SELECT * FROM r`;
    try {
      const rows: Record<string, unknown>[] = await (m ?? this.ds.manager).query(sql, params);
      return this.fromRow(rows[0]);
    } catch (err) {
      // The transaction is aborted now: the caller looks the active one up outside it.
      const e = err as { code?: string; constraint?: string; driverError?: { constraint?: string } };
      if (err instanceof QueryFailedError && e.code === '23505' && (e.driverError?.constraint ?? e.constraint) === 'uq_remediations_active_instance') {
        throw new ActiveRemediationExistsError(null);
      }
      throw err;
    }
  }

  private cachedColumns?: string;
  /** The explicit result columns of the hot statements (prepared-query.ts says why not `*`). */
  private get columns(): string {
    return (this.cachedColumns ??= columnList(this.repo().metadata));
  }

  /** Maps a raw `remediations` row (snake_case) onto the entity by the entity's own metadata. */
  private fromRow(raw: Record<string, unknown>): RemediationEntity {
    return fromRow<RemediationEntity>(this.repo().metadata, raw);
  }

  /** One plain statement mapped by the entity's metadata: the engine reads a row per step, and the query builder's CPU was most of it. */
  async findById(id: string, m?: EntityManager): Promise<RemediationEntity | null> {
    const rows = await preparedQuery(this.ds, `SELECT ${this.columns} FROM remediations WHERE id = $1`, [id], m);
    return rows.length ? this.fromRow(rows[0]) : null;
  }

  /**
   * The row and all its command runs in ONE statement: a woken step reads both, and two round
   * trips per wake were a fifth of the engine's statements. The runs come as one JSON array
   * column, so the row's wide columns (facts, plan, verification: ~2.8 KB) are sent and parsed
   * once, not once per run as a join would repeat them.
   */
  async findByIdWithRuns(id: string): Promise<RowWithRuns | null> {
    const rows = await preparedQuery(this.ds, `${this.withRunsSelect} WHERE r.id = $1`, [id]);
    return rows.length ? this.withRuns(rows[0]) : null;
  }

  /**
   * The same read, shared with the other reads asked for in this turn (one statement): for campaign
   * starts, which run side by side in many lanes. A job's own read (any source) stays alone.
   */
  findByIdWithRunsShared(id: string): Promise<RowWithRuns | null> {
    return this.rowReads.run(id);
  }

  /** The same for many rows at once (the remediations whose batched commands just ended). */
  async findManyWithRuns(ids: string[]): Promise<{ row: RemediationEntity; runs: CommandRunEntity[] }[]> {
    if (!ids.length) return [];
    const rows = await freshlyPlannedQuery(this.ds, `${this.withRunsSelect} WHERE r.id = ANY($1::uuid[])`, [ids]);
    return rows.map((raw) => this.withRuns(raw));
  }

  private cachedWithRuns?: string;
  /**
   * The runs come without `stdout_excerpt`: up to 4,000 characters per run that the engine never
   * reads (it parses `result` and classifies failures by `stderr_excerpt`; the API reads runs on
   * their own). Leaving it out took about a fifth off this statement (179–190 → 145–150 µs a row).
   */
  private get withRunsSelect(): string {
    return (this.cachedWithRuns ??= `SELECT ${columnList(this.repo().metadata, 'r')},
      (SELECT json_agg(c) FROM (SELECT ${columnList(this.ds.getMetadata(CommandRunEntity), 'x', ['stdout_excerpt'])}
                                  FROM command_runs x WHERE x.remediation_id = r.id) c) AS "c__runs" FROM remediations r`);
  }

  /** One row and its runs (JSON objects named by column, mapped by the run entity's metadata). */
  private withRuns(raw: Record<string, unknown>): { row: RemediationEntity; runs: CommandRunEntity[] } {
    const runMeta = this.ds.getMetadata(CommandRunEntity);
    const runs = ((raw.c__runs as Record<string, unknown>[] | null) ?? []).map((json) => fromJsonRow<CommandRunEntity>(runMeta, json));
    return { row: this.fromRow(raw), runs };
  }

  findActiveForInstance(instanceId: string, m?: EntityManager): Promise<RemediationEntity | null> {
    return this.repo(m)
      .createQueryBuilder('r')
      .where('r.instance_id = :instanceId', { instanceId })
      .andWhere(`r.state <> 'finished'`)
      .getOne();
  }

  async list(f: ListFilter): Promise<RemediationEntity[]> {
    const qb = this.repo().createQueryBuilder('r');
    if (f.instanceId) qb.andWhere('r.instance_id = :instanceId', { instanceId: f.instanceId });
    if (f.state) qb.andWhere('r.state = :state', { state: f.state });
    if (f.ticketRef?.endsWith('*')) {
      // A prefix: LIKE 'prefix%' with the prefix's own LIKE wildcards escaped, served by the
      // varchar_pattern_ops index (ix_remediations_ticket_ref_prefix) whatever the collation.
      qb.andWhere(`r.ticket_ref LIKE :ticketRefPrefix ESCAPE '\\'`, { ticketRefPrefix: `${escapeLike(f.ticketRef.slice(0, -1))}%` });
    } else if (f.ticketRef) qb.andWhere('r.ticket_ref = :ticketRef', { ticketRef: f.ticketRef });
    if (f.tenantId !== undefined) qb.andWhere('r.tenant_id = :tenantId', { tenantId: f.tenantId });
    if (f.after) {
      qb.andWhere('(r.created_at, r.id) < (:createdAt::timestamptz, :id::uuid)', { createdAt: f.after.createdAt, id: f.after.id });
    }
    return qb.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').limit(f.limit).getMany();
  }

  /**
   * Applies `patch` only if the row still has `expectedVersion`; returns the new row or null when
   * another worker moved it first. This is what keeps a duplicated (stalled) job from acting twice.
   */
  async updateIfVersion(id: string, expectedVersion: number, patch: Partial<RemediationEntity>, m?: EntityManager): Promise<RemediationEntity | null> {
    return this.updateIfVersionWithEvents(id, expectedVersion, patch, [], m);
  }

  /**
   * updateIfVersion plus the step's timeline events in ONE statement (a data-modifying CTE is
   * atomic on its own; the events are written only when the compare-and-set won): one round trip
   * instead of a transaction's four or more, on every step of every remediation. The new row
   * comes back from RETURNING, not from a second read.
   */
  async updateIfVersionWithEvents(
    id: string,
    expectedVersion: number,
    patch: Partial<RemediationEntity>,
    events: StepEvent[],
    m?: EntityManager,
  ): Promise<RemediationEntity | null> {
    const rows = await this.compareAndSet(id, expectedVersion, patch, events, 'row', m);
    return rows.length ? this.fromRow(rows[0]) : null;
  }

  /**
   * The engine's step write: the same compare-and-set from the caller's fresh row `r`, but only
   * the new version and updated_at come back; the rest of the new row is `r` + `patch`
   * (withPatch). Sending and parsing the whole row (~2.8 KB, jsonb rendered as text) on each of
   * about eight steps per remediation was a large share of both the worker's and PostgreSQL's CPU.
   */
  async saveStep(r: RemediationEntity, patch: Partial<RemediationEntity>, events: StepEvent[]): Promise<RemediationEntity | null> {
    const { id: _id, version: _v, updatedAt: _u, ...set } = patch;
    // Only campaign work shares statements: a single fix keeps its own (it gains nothing by waiting a turn).
    const written = r.source === 'campaign' ? await this.stepWrites.run({ r, set, events }) : await this.writeStep({ r, set, events });
    if (!written) return null;
    const saved = withPatch(this.repo().metadata, r, set);
    saved.version = written.version;
    saved.updatedAt = written.updatedAt;
    return saved;
  }

  private async writeStep(w: StepWrite): Promise<StepWritten> {
    const rows = await this.compareAndSet(w.r.id, w.r.version, w.set, w.events, 'version');
    return rows.length ? { version: rows[0].version as number, updatedAt: rows[0].updated_at as Date } : null;
  }

  /**
   * Many step writes, each its own compare-and-set on its row's version, in ONE statement: every
   * row's patch travels as JSON keyed by column and is typed by PostgreSQL itself
   * (jsonb_populate_record on the table's row type); a column a patch does not name keeps its
   * value. Events are written only for the rows whose compare-and-set won, in their order.
   */
  private async writeSteps(ws: StepWrite[]): Promise<StepWritten[]> {
    const meta = this.repo().metadata;
    const rows = ws.map((w) => {
      const p: Record<string, unknown> = {};
      for (const c of meta.columns) {
        const v = (w.set as Record<string, unknown>)[c.propertyName];
        if (v !== undefined) p[c.databaseName] = v;
      }
      return { id: w.r.id, v: w.r.version, p };
    });
    const events = ws.flatMap((w) => w.events.map((e) => ({ rid: w.r.id, type: e.type, step: e.step, message: e.message, ...(e.data ? { data: e.data } : {}) })));
    const found = await freshlyPlannedQuery(this.ds, this.stepsSql, [JSON.stringify(rows), JSON.stringify(events)]);
    const byId = new Map(found.map((f) => [f.id as string, { version: f.version as number, updatedAt: f.updated_at as Date }]));
    return ws.map((w) => byId.get(w.r.id) ?? null);
  }

  private cachedStepsSql?: string;
  /** One text for every mix of patches, planned afresh each time (freshlyPlannedQuery): every column a step may set. */
  private get stepsSql(): string {
    if (this.cachedStepsSql) return this.cachedStepsSql;
    const fixed = new Set(['id', 'version', 'updated_at', 'created_at']);
    const cols = this.repo().metadata.columns.map((c) => c.databaseName).filter((c) => !fixed.has(c));
    const set = cols.map((c) => `"${c}" = CASE WHEN x.p ? '${c}' THEN n."${c}" ELSE r."${c}" END`);
    return (this.cachedStepsSql = `WITH u AS (
        UPDATE remediations r SET ${set.join(', ')}, "version" = r."version" + 1, "updated_at" = now()
          FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, v int, p jsonb)
          CROSS JOIN LATERAL jsonb_populate_record(NULL::remediations, x.p) AS n
         WHERE r.id = x.id AND r.version = x.v
        RETURNING r.id, r.version, r.updated_at),
      e AS (INSERT INTO timeline_events (remediation_id, type, step, message, data)
            SELECT ev.rid, ev.type, ev.step, ev.message, ev.data
              FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (rid uuid, type text, step text, message text, data jsonb)) WITH ORDINALITY AS ev(rid, type, step, message, data, k)
              JOIN u ON u.id = ev.rid ORDER BY ev.k)
      SELECT id, version, updated_at FROM u`);
  }

  private async compareAndSet(
    id: string,
    expectedVersion: number,
    patch: Partial<RemediationEntity>,
    events: StepEvent[],
    answer: 'row' | 'version',
    m?: EntityManager,
  ): Promise<Record<string, unknown>[]> {
    const result = answer === 'row' ? this.columns : '"version", "updated_at"';
    // Plain SQL from the entity's metadata: the query builder was a tenth of the worker's CPU here.
    const { id: _id, version: _v, updatedAt: _u, ...set } = patch;
    const { columns, placeholders, params } = insertColumns(this.repo(m).metadata, set);
    const assignments = [...columns.map((c, i) => `"${c}" = ${placeholders[i]}`), '"version" = "version" + 1', '"updated_at" = now()'];
    params.push(id, expectedVersion);
    const update = `UPDATE "remediations" SET ${assignments.join(', ')} WHERE "id" = $${params.length - 1} AND "version" = $${params.length} RETURNING ${answer === 'row' ? '*' : `"id", ${result}`}`;
    let written = '';
    if (events.length) {
      // Without a data key the event's data is SQL NULL, not JSON null; the ordinality keeps their order.
      params.push(JSON.stringify(events.map((e) => ({ type: e.type, step: e.step, message: e.message, ...(e.data ? { data: e.data } : {}) }))));
      written = `, e AS (INSERT INTO timeline_events (remediation_id, type, step, message, data)
            SELECT u.id, x.e->>'type', x.e->>'step', x.e->>'message', x.e->'data'
              FROM u, jsonb_array_elements($${params.length}::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY x.n)`;
    }
    // A WITH … SELECT answers plain rows (a bare UPDATE answers [rows, count] through typeorm).
    return preparedQuery(this.ds, `WITH u AS (${update})${written} SELECT ${result} FROM u`, params, m);
  }

  /** Active remediations the reconciler should make sure have a job. */
  async listDispatchable(olderThanMs: number, limit: number): Promise<{ id: string; state: RemediationState }[]> {
    return this.ds.query(
      `SELECT id, state FROM remediations
        WHERE state IN ('queued','running') AND updated_at < now() - ($1::int * interval '1 millisecond')
        ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
  }

  /** Ends every remediation whose approval window passed; returns their ids. */
  async expireApprovals(): Promise<string[]> {
    const res = await this.repo()
      .createQueryBuilder()
      .update(RemediationEntity)
      .set({
        state: 'finished',
        step: 'done',
        outcome: 'failed',
        reason: 'approval_expired',
        // Consent comes before any change (issue 7), so nothing was applied; rows parked by an
        // older version after their changes say so.
        reasonDetail: () =>
          `CASE WHEN jsonb_array_length(changes) > 0 THEN 'The restart was not approved before the approval window closed; the changes already applied stay in place (see changes) and no restart was made.' ELSE 'The change and the restart were not approved before the approval window closed; nothing was changed on the server and no restart was made.' END`,
        finishedAt: () => 'now()',
        updatedAt: () => 'now()',
        version: () => 'version + 1',
      } as never)
      .where(`state = 'awaiting_approval' AND approval_expires_at < now()`)
      .returning(['id'])
      .execute();
    return (res.raw as { id: string }[]).map((r) => r.id);
  }
}

/** `%`, `_` and `\\` stand for themselves in a LIKE pattern (ESCAPE '\\'). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
