import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@rdpfix/persistence';
import { CLAIM_SQL, claimParams } from './batch-claim-sql';

export interface BatchRow {
  id: string;
  region: string;
  channel: string;
  batch_key: string;
  script_name: string;
  status: 'sending' | 'sent' | 'unsent' | 'rejected' | 'send_outcome_unknown' | 'done';
  send_epoch: number;
  command_id: string | null;
  run_count: number;
  sending_at: Date;
  sent_at: Date | null;
  lookup_until: Date | null;
  send_unknown_at: Date | null;
  lookup_count: number;
  collect_count: number;
  closed_at: Date | null;
  db_now: Date;
  /** batch(id, { anyInstance: true }): one instance the batch's send targeted (null when no run is left in it). */
  any_instance_id?: string | null;
}

export interface ClaimedRun {
  id: string;
  remediation_id: string;
  instance_id: string;
  step: string;
  script_name: string;
  parameters: Record<string, string | number>;
  send_epoch: number;
  /** The remediation's boot time before the change (restart-computer's batch threshold). */
  boot_time_before: Date | null;
  /** When the run was requested (the claim's floor follows the oldest claimed). */
  requested_at: Date;
}

export interface GroupInfo {
  key: string;
  n: number;
  oldestAgeMs: number;
  newestAgeMs: number;
}

export interface OpenRun {
  id: string;
  remediation_id: string;
  instance_id: string;
  step: string;
  script_name: string;
  status: string;
  send_epoch: number;
  poll_count: number;
  started_at: Date | null;
  timeout_at: Date | null;
}

export interface TimelineRow {
  remediation_id: string;
  type: string;
  step: string;
  message: string;
  data: Record<string, unknown>;
}

/**
 * command_batches and the batched command_runs, in few statements: the dispatcher claims a
 * whole batch, marks it sent, and the collector closes all finished runs of a listing, each
 * in one transaction and one statement where it can (PostgreSQL CPU per remediation, issue 10).
 * Every transition of a run compares its status, its batch and its send epoch (fencing).
 */
export class BatchStore {
  constructor(private readonly ds: DataSource) {}

  /** The requested groups of a region, oldest first, with their size and the age of their oldest and newest request. */
  async groups(region: string, limit = 16): Promise<GroupInfo[]> {
    const rows: { key: string; n: number; oldest: string; newest: string }[] = await this.ds.query(
      `SELECT batch_key AS key, count(*)::int AS n,
              (extract(epoch FROM now() - min(requested_at)) * 1000)::bigint AS oldest,
              (extract(epoch FROM now() - max(requested_at)) * 1000)::bigint AS newest
         FROM command_runs WHERE status = 'requested' AND batch_key IS NOT NULL AND region = $1
        GROUP BY batch_key ORDER BY min(requested_at) LIMIT $2`,
      [region, limit],
    );
    return rows.map((r) => ({ key: r.key, n: r.n, oldestAgeMs: Number(r.oldest), newestAgeMs: Number(r.newest) }));
  }

  /**
   * The claim, one statement (batch-claim-sql.ts says what it does and why its shape): one round
   * trip, where the dispatcher's lanes held a pooled connection across six before, which queued
   * every other query of a busy worker behind them. Nothing is sent before it commits.
   */
  async claim(region: string, channel: string, key: string, max: number, lookupS: number, floor?: string): Promise<{ batch: BatchRow; runs: ClaimedRun[] } | null> {
    const id = randomUUID();
    const secs = Math.max(1, Math.round(lookupS));
    const rows: (ClaimedRun & { batch: Record<string, unknown> })[] = await this.ds.query(CLAIM_SQL, claimParams(region, channel, key, max, id, secs, floor));
    if (!rows.length) return null;
    const batch = batchRowOf(rows[0].batch);
    return { batch, runs: rows.map(({ batch: _b, ...run }) => run) };
  }

  /** The batch row; with `anyInstance`, also one instance its send targeted (for a marker lookup, which only recovery makes). */
  async batch(id: string, opts: { anyInstance?: boolean } = {}): Promise<BatchRow | null> {
    const anyInstance = opts.anyInstance ? ', (SELECT r.instance_id FROM command_runs r WHERE r.batch_id = b.id LIMIT 1) AS any_instance_id' : '';
    const rows: BatchRow[] = await this.ds.query(`SELECT b.*, now() AS db_now${anyInstance} FROM command_batches b WHERE b.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /**
   * `sending -> sent` with the command id, for the batch (epoch) and each of its runs still
   * `sending` under this batch; `sentAt` 'now' after an answer, 'sending' when found by marker.
   */
  async markSent(b: BatchRow, commandId: string, timeoutS: number, sentAt: 'now' | 'sending'): Promise<{ id: string; remediation_id: string; step: string }[] | null> {
    // One statement (was five round trips in a transaction), for the reason claim() gives.
    const at = sentAt === 'now' ? 'now()' : 'sent.sending_at';
    const recovered = sentAt !== 'now';
    const [row] = await preparedQuery<{ ok: number; runs: { id: string; remediation_id: string; step: string }[] }>(
      this.ds,
      `WITH sent AS (
         UPDATE command_batches SET status = 'sent', command_id = $3, sent_at = ${recovered ? 'sending_at' : 'now()'}
          WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id, sending_at
       ), runs AS (
         UPDATE command_runs c SET status = 'pending', command_id = $3, sent_at = ${at}, timeout_at = ${at} + make_interval(secs => $4)
           FROM sent WHERE c.batch_id = sent.id AND c.status = 'sending'
         RETURNING c.id, c.remediation_id, c.step
       ), logged AS (
         INSERT INTO timeline_events (remediation_id, type, step, message, data)
         SELECT remediation_id, $5, step, $6, jsonb_build_object('commandRunId', id, 'commandId', $3::text, 'batchId', $1::text) FROM runs
       )
       SELECT (SELECT count(*) FROM sent)::int AS ok,
              coalesce((SELECT jsonb_agg(jsonb_build_object('id', id, 'remediation_id', remediation_id, 'step', step)) FROM runs), '[]'::jsonb) AS runs`,
      [
        b.id,
        b.send_epoch,
        commandId,
        Math.max(1, Math.round(timeoutS)),
        recovered ? 'command_recovered' : 'command_sent',
        recovered ? `found batch ${b.id} already sent as command ${commandId}; not sending it again` : `sent ${b.script_name} as command ${commandId} (batch of ${b.run_count})`,
      ],
    );
    return row.ok ? row.runs : null;
  }

  /** The batch's send answer was lost: remember when (upper end of the lookup window). */
  async markUnknown(b: BatchRow, why: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const ok = rowsOf(
        await m.query(`UPDATE command_batches SET send_unknown_at = coalesce(send_unknown_at, now()), error = $3 WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id`, [
          b.id,
          b.send_epoch,
          why.slice(0, 1000),
        ]),
      );
      if (!ok.length) return false;
      const runs: { id: string; remediation_id: string; step: string }[] = rowsOf(
        await m.query(`UPDATE command_runs SET send_unknown_at = coalesce(send_unknown_at, now()) WHERE batch_id = $1 AND status = 'sending' RETURNING id, remediation_id, step`, [b.id]),
      );
      await this.events(
        runs.map((r) => ({
          remediation_id: r.remediation_id,
          type: 'command_send_unknown',
          step: r.step,
          message: `the answer to the send of batch ${b.id} (${b.script_name}) was lost (${why.slice(0, 200)}); looking it up by its marker instead of sending it again`,
          data: { commandRunId: r.id, batchId: b.id },
        })),
        m,
      );
      return true;
    });
  }

  async countLookup(b: BatchRow): Promise<void> {
    await this.ds.query(`UPDATE command_batches SET lookup_count = lookup_count + 1 WHERE id = $1 AND status = 'sending' AND send_epoch = $2`, [b.id, b.send_epoch]);
  }

  /**
   * Closes the batch's send: `unsent` (provably not sent: runs back to `requested`, optionally
   * under a new group key), `rejected` or `send_outcome_unknown` (runs closed with `error`).
   * `only`: the runs concerned (default: all the batch's runs still `sending`). Returns the runs moved.
   */
  async closeSend(
    b: BatchRow,
    status: 'unsent' | 'rejected' | 'send_outcome_unknown',
    error: string,
    opts: { only?: string[]; rekey?: (runId: string, i: number) => string; closeBatch?: boolean; eventType?: string } = {},
  ): Promise<{ id: string; remediation_id: string; step: string; instance_id: string }[] | null> {
    return this.ds.transaction(async (m) => {
      if (opts.closeBatch !== false) {
        const ok = rowsOf(
          await m.query(`UPDATE command_batches SET status = $3, error = $4, closed_at = now() WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id`, [
            b.id,
            b.send_epoch,
            status,
            error.slice(0, 1000),
          ]),
        );
        if (!ok.length) return null;
      }
      const filter = opts.only ? `AND id = ANY($2::uuid[])` : '';
      const args: unknown[] = [b.id];
      if (opts.only) args.push(opts.only);
      let runs: { id: string; remediation_id: string; step: string; instance_id: string }[];
      if (status === 'unsent') {
        runs = rowsOf(
          await m.query(
            `UPDATE command_runs SET status = 'requested', batch_id = NULL, sending_at = NULL, lookup_until = NULL, send_unknown_at = NULL
              WHERE batch_id = $1 AND status = 'sending' ${filter} RETURNING id, remediation_id, step, instance_id`,
            args,
          ),
        );
        if (opts.rekey && runs.length) {
          const keys = runs.map((r, i) => opts.rekey!(r.id, i));
          await m.query(`UPDATE command_runs c SET batch_key = u.k FROM unnest($1::uuid[], $2::text[]) AS u(id, k) WHERE c.id = u.id AND c.status = 'requested'`, [runs.map((r) => r.id), keys]);
        }
      } else {
        args.push(status, error.slice(0, 1000));
        const n = args.length;
        runs = rowsOf(
          await m.query(
            `UPDATE command_runs SET status = $${n - 1}, error = $${n}, finished_at = now()
              WHERE batch_id = $1 AND status = 'sending' ${filter} RETURNING id, remediation_id, step, instance_id`,
            args,
          ),
        );
        await this.events(
          runs.map((r) => ({
            remediation_id: r.remediation_id,
            type: opts.eventType ?? (status === 'rejected' ? 'command_rejected' : 'command_send_outcome_unknown'),
            step: r.step,
            message: error.slice(0, 2000),
            data: { commandRunId: r.id, batchId: b.id },
          })),
          m,
        );
      }
      return runs;
    });
  }

  /**
   * A send refused as a whole, one transaction: the batch `rejected`; the culprits' runs
   * `rejected` (with an event); every other run back to `requested` (optionally under a new,
   * halved group key) to go out again without them.
   */
  async splitRejected(
    b: BatchRow,
    rejectIds: string[],
    error: string,
    rekey?: (runId: string, i: number) => string,
  ): Promise<{ rejected: { id: string; remediation_id: string }[]; requeued: { id: string }[] } | null> {
    return this.ds.transaction(async (m) => {
      const ok = rowsOf(
        await m.query(`UPDATE command_batches SET status = 'rejected', error = $3, closed_at = now() WHERE id = $1 AND status = 'sending' AND send_epoch = $2 RETURNING id`, [
          b.id,
          b.send_epoch,
          error.slice(0, 1000),
        ]),
      );
      if (!ok.length) return null;
      const rejected: { id: string; remediation_id: string; step: string }[] = rejectIds.length
        ? rowsOf(
            await m.query(
              `UPDATE command_runs SET status = 'rejected', error = $3, finished_at = now()
                WHERE batch_id = $1 AND status = 'sending' AND id = ANY($2::uuid[]) RETURNING id, remediation_id, step`,
              [b.id, rejectIds, error.slice(0, 1000)],
            ),
          )
        : [];
      const requeued: { id: string }[] = rowsOf(
        await m.query(
          `UPDATE command_runs SET status = 'requested', batch_id = NULL, sending_at = NULL, lookup_until = NULL, send_unknown_at = NULL
            WHERE batch_id = $1 AND status = 'sending' RETURNING id`,
          [b.id],
        ),
      );
      if (rekey && requeued.length) {
        const keys = requeued.map((r, i) => rekey(r.id, i));
        await m.query(`UPDATE command_runs c SET batch_key = u.k FROM unnest($1::uuid[], $2::text[]) AS u(id, k) WHERE c.id = u.id AND c.status = 'requested'`, [requeued.map((r) => r.id), keys]);
      }
      await this.events(
        rejected.map((r) => ({ remediation_id: r.remediation_id, type: 'command_rejected', step: r.step, message: error.slice(0, 2000), data: { commandRunId: r.id, batchId: b.id } })),
        m,
      );
      return { rejected, requeued };
    });
  }

  /** The batch's runs still waiting for their result. */
  openRuns(batchId: string): Promise<OpenRun[]> {
    return this.ds.query(
      `SELECT id, remediation_id, instance_id, step, script_name, status, send_epoch, poll_count, started_at, timeout_at
         FROM command_runs WHERE batch_id = $1 AND status IN ('pending', 'running')`,
      [batchId],
    );
  }

  /**
   * Applies one listing: every run's patch in one statement (compare-and-set on status, batch
   * and epoch), the `command_finished` events in another. Returns the runs actually moved.
   */
  async applyResults(batchId: string, patches: RunPatch[], events: TimelineRow[]): Promise<Set<string>> {
    if (!patches.length) return new Set();
    return this.ds.transaction(async (m) => {
      const moved: { id: string }[] = rowsOf(
        await m.query(
          `UPDATE command_runs c SET status = u.status, provider_status = u.provider_status, provider_status_details = u.provider_status_details,
                  exit_code = u.exit_code, poll_count = c.poll_count + 1, started_at = coalesce(u.started_at, c.started_at),
                  finished_at = CASE WHEN u.terminal THEN coalesce(u.finished_at, now()) ELSE c.finished_at END,
                  stdout_excerpt = CASE WHEN u.terminal THEN u.stdout ELSE c.stdout_excerpt END,
                  stderr_excerpt = CASE WHEN u.terminal THEN u.stderr ELSE c.stderr_excerpt END,
                  truncated = CASE WHEN u.terminal THEN u.truncated ELSE c.truncated END,
                  result = CASE WHEN u.terminal THEN u.result ELSE c.result END,
                  error = CASE WHEN u.terminal THEN u.error ELSE c.error END
             FROM jsonb_to_recordset($2::jsonb) AS u(id uuid, epoch int, status text, provider_status text, provider_status_details text,
                  exit_code int, started_at timestamptz, finished_at timestamptz, stdout text, stderr text, truncated boolean, result jsonb,
                  error text, terminal boolean)
            WHERE c.id = u.id AND c.batch_id = $1 AND c.send_epoch = u.epoch AND c.status IN ('pending', 'running')
           RETURNING c.id`,
          [batchId, JSON.stringify(patches)],
        ),
      );
      const ids = new Set(moved.map((r) => r.id));
      await this.events(
        events.filter((e) => ids.has(String(e.data.commandRunId))),
        m,
      );
      return ids;
    });
  }

  async countCollect(batchId: string): Promise<void> {
    await this.ds.query(`UPDATE command_batches SET collect_count = collect_count + 1 WHERE id = $1`, [batchId]);
  }

  async closeBatch(batchId: string): Promise<void> {
    await this.ds.query(`UPDATE command_batches SET status = 'done', closed_at = now() WHERE id = $1 AND status = 'sent'`, [batchId]);
  }

  /** Batches a region still has in `sending` or `sent` (for the sweep after a Redis loss). */
  openBatches(limit = 500): Promise<{ id: string; status: string }[]> {
    return this.ds.query(`SELECT id, status FROM command_batches WHERE closed_at IS NULL AND status IN ('sending', 'sent') ORDER BY created_at LIMIT $1`, [limit]);
  }

  async dbNow(): Promise<Date> {
    const rows: { now: Date }[] = await this.ds.query('SELECT now() AS now');
    return new Date(rows[0].now);
  }

  /** Timeline events of many remediations in one statement. */
  async events(rows: TimelineRow[], m?: EntityManager): Promise<void> {
    if (!rows.length) return;
    await (m ?? this.ds.manager).query(
      `INSERT INTO timeline_events (remediation_id, type, step, message, data)
       SELECT remediation_id, type, step, message, data FROM jsonb_to_recordset($1::jsonb) AS e(remediation_id uuid, type text, step text, message text, data jsonb)`,
      [JSON.stringify(rows)],
    );
  }
}

export interface RunPatch {
  id: string;
  epoch: number;
  status: string;
  provider_status: string;
  provider_status_details: string | null;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
  stdout: string | null;
  stderr: string | null;
  truncated: boolean;
  result: unknown;
  error: string | null;
  terminal: boolean;
}

const BATCH_DATES = ['sending_at', 'sent_at', 'lookup_until', 'send_unknown_at', 'closed_at', 'db_now'] as const;

/** A command_batches row that came back as JSON (to_jsonb): its timestamps are Dates again. */
function batchRowOf(json: Record<string, unknown>): BatchRow {
  const row = { ...json } as Record<string, unknown>;
  for (const k of BATCH_DATES) if (typeof row[k] === 'string') row[k] = new Date(row[k] as string);
  return row as unknown as BatchRow;
}

/** pg's UPDATE ... RETURNING through TypeORM answers [rows, count]; a SELECT answers rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return (result as T[]) ?? [];
}
