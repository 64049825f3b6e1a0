import type { Writable } from 'stream';
import { Injectable, Logger } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import { CensusAccumulator, censusCsvRows } from '../domain/census';
import { isFinal } from '../domain/campaign-state';
import { summarizeFacts } from '../domain/facts-reader';
import { notStartedReason } from '../domain/target-outcome';
import { CampaignEntity } from '../entities';
import { rawClient } from '../persistence/pg-client';
import type { TenantScope } from './campaign-queries';

/** Characters of a command's output kept in a report row (its end: the result line is printed last). */
export const OUTPUT_TAIL = 300;

export const REPORT_COLUMNS = [
  'instanceId', 'region', 'wave', 'state', 'outcome', 'reason', 'exitCode', 'attempts',
  'startedAt', 'finishedAt', 'remediationId', 'outputTail', 'outputTruncated',
] as const;

export type ReportFormat = 'csv' | 'json';

interface ReportRow {
  instance_id: string;
  region: string;
  wave: number | null;
  state: string;
  outcome: string | null;
  reason: string | null;
  exit_code: number | null;
  attempt: number;
  started_at: Date | null;
  finished_at: Date | null;
  remediation_id: string | null;
  output_tail: string | null;
  output_truncated: boolean | null;
}

/**
 * Streams a campaign's report from a PostgreSQL cursor straight to the response, one row per
 * target (never an array in memory), honouring backpressure. Also builds the census the same way.
 */
@Injectable()
export class CampaignReports {
  private readonly log = new Logger(CampaignReports.name);

  constructor(private readonly ds: DataSource) {}

  async report(c: CampaignEntity, scope: TenantScope, opts: { outcomes: string[] | null; format: ReportFormat }, out: Writable): Promise<number> {
    const final = isFinal(c.state) || c.state === 'stopping' || c.state === 'cancelling';
    const params: unknown[] = [c.id];
    const where: string[] = ['t.campaign_id = $1'];
    if (opts.outcomes) {
      params.push(opts.outcomes);
      where.push(`(t.outcome = ANY($2::text[])${final ? ` OR ('not_started' = ANY($2::text[]) AND t.state = 'pending')` : ''})`);
    }
    if (scope !== null) {
      // Defence in depth (the campaign is the tenant's already); excluded rows are the key's own input.
      params.push(scope);
      where.push(`(t.tenant_id = $${params.length} OR t.state = 'excluded')`);
    }
    const sql = `
      SELECT t.instance_id, t.region, t.wave, t.state, t.outcome, t.reason, t.attempt, t.started_at, t.finished_at, t.remediation_id,
             cr.exit_code, right(cr.stdout_excerpt, ${OUTPUT_TAIL}) AS output_tail,
             (cr.truncated OR length(cr.stdout_excerpt) > ${OUTPUT_TAIL}) AS output_truncated
        FROM campaign_targets t
        LEFT JOIN LATERAL (
          SELECT c.exit_code, c.stdout_excerpt, c.truncated FROM command_runs c
           WHERE c.remediation_id = t.remediation_id ORDER BY c.requested_at DESC, c.id DESC LIMIT 1
        ) cr ON true
       WHERE ${where.join(' AND ')}
       ORDER BY t.seq`;
    const notStarted = notStartedReason(c.state, c.stop?.kind ?? null);
    let n = 0;
    await this.stream(sql, params, out, {
      head: opts.format === 'csv' ? stringify([REPORT_COLUMNS as unknown as string[]]) : '[',
      row: (r: ReportRow) => {
        const row = reportRow(r, final, notStarted);
        const text = opts.format === 'csv' ? stringify([REPORT_COLUMNS.map((k) => csvCell(row[k]))]) : `${n === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`;
        n++;
        return text;
      },
      tail: opts.format === 'csv' ? '' : () => (n === 0 ? ']\n' : '\n]\n'),
    });
    return n;
  }

  /** The fleet census (diagnose campaigns above all), aggregated while streaming. */
  async census(c: CampaignEntity, scope: TenantScope) {
    const acc = new CensusAccumulator();
    const params: unknown[] = [c.id];
    if (scope !== null) params.push(scope);
    const sql = `
      SELECT t.state, t.outcome, r.facts, r.plan
        FROM campaign_targets t LEFT JOIN remediations r ON r.id = t.remediation_id AND r.facts IS NOT NULL
       WHERE t.campaign_id = $1 ${scope !== null ? 'AND t.tenant_id = $2' : ''}`;
    const final = isFinal(c.state);
    const { client, release } = await rawClient(this.ds);
    let failure: Error | undefined;
    try {
      const stream = client.query(new QueryStream(sql, params, { batchSize: 500 }));
      for await (const r of stream as AsyncIterable<{ state: string; outcome: string | null; facts: unknown; plan: unknown }>) {
        const outcome = r.outcome ?? (r.state === 'pending' ? (final ? 'not_started' : 'pending') : r.state);
        acc.add(outcome, r.facts ? summarizeFacts(r.facts, r.plan) : null);
      }
    } catch (err) {
      failure = err as Error;
      throw err;
    } finally {
      release(failure);
    }
    return acc.result();
  }

  censusCsv(census: ReturnType<CensusAccumulator['result']>): string {
    return stringify(censusCsvRows(census));
  }

  private async stream(sql: string, params: unknown[], out: Writable, f: { head: string; row: (r: ReportRow) => string; tail: string | (() => string) }): Promise<void> {
    const { client, release } = await rawClient(this.ds);
    let failure: Error | undefined;
    const stream = client.query(new QueryStream(sql, params, { batchSize: 500 }));
    let closed = false;
    const onClose = () => {
      closed = true;
      stream.destroy();
    };
    out.once('close', onClose);
    try {
      await write(out, f.head);
      for await (const r of stream as AsyncIterable<ReportRow>) {
        if (closed) break;
        await write(out, f.row(r));
      }
      if (!closed) out.end(typeof f.tail === 'function' ? f.tail() : f.tail);
    } catch (err) {
      failure = err as Error;
      if (!closed) this.log.warn(`report stream failed: ${failure.message}`);
      out.destroy(failure);
    } finally {
      out.off('close', onClose);
      // A cursor abandoned mid-way leaves the connection busy: close it rather than pool it.
      release(failure ?? (closed ? new Error('client went away') : undefined));
    }
  }
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

export function reportRow(r: ReportRow, final: boolean, notStarted: string) {
  const pendingOutcome = r.state === 'pending' && final;
  return {
    instanceId: r.instance_id,
    region: r.region,
    wave: r.wave,
    state: r.state,
    outcome: r.outcome ?? (pendingOutcome ? 'not_started' : null),
    reason: r.reason ?? (pendingOutcome ? notStarted : null),
    exitCode: r.exit_code,
    attempts: r.attempt,
    startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    remediationId: r.remediation_id,
    outputTail: r.output_tail,
    outputTruncated: r.output_tail === null ? null : Boolean(r.output_truncated),
  };
}

/** Backpressure: wait for `drain` (or the client going away) before writing more. */
async function write(out: Writable, text: string): Promise<void> {
  if (!text || out.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
