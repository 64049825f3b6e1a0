import type { SqlRunner } from '../persistence/sql-runner';

/** How long one count of a region set's backlog serves this process's ticks. */
const FRESH_MS = 1000;

/**
 * The channel backlog of a campaign's regions (remediations waiting for their first step, and
 * batched commands waiting to be sent), counted at most once a second per set of regions in a
 * process: counting on every tick (several a second per campaign, up to the limit's worth of
 * index entries and row lookups each) cost PostgreSQL more than the backlog saved at 100,000
 * targets. Between counts, the starts this process made are added, so ticks cannot overshoot it.
 * A soft bound: other workers' starts show at the next count.
 */
export class BacklogGauge {
  private readonly seen = new Map<string, { at: number; depth: number }>();

  /** How many may start now: `limit` less the deeper backlog (never below 0). */
  async room(q: SqlRunner, regions: readonly string[], limit: number): Promise<number> {
    if (!regions.length) return limit;
    const key = [...regions].sort().join(',');
    const now = Date.now();
    let s = this.seen.get(key);
    if (!s || now - s.at >= FRESH_MS) {
      s = { at: now, depth: await this.count(q, regions, limit) };
      this.seen.set(key, s);
      if (this.seen.size > 1000) this.seen.delete(this.seen.keys().next().value as string);
    }
    return Math.max(0, limit - s.depth);
  }

  /** Starts this process just made in those regions (queued until their first step). */
  started(regions: readonly string[], n: number): void {
    const s = this.seen.get([...regions].sort().join(','));
    if (s) s.depth += n;
  }

  private async count(q: SqlRunner, regions: readonly string[], limit: number): Promise<number> {
    const [{ starts, requests }] = await q(
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM remediations
                 WHERE state = 'queued' AND region = ANY($1::varchar[]) AND NOT cancel_requested LIMIT $2) s) AS starts,
              -- Only requests the dispatcher would send (as its claim): a run left requested by a
              -- cancelled or parked remediation must not hold campaigns back.
              (SELECT count(*)::int FROM (SELECT 1 FROM command_runs c JOIN remediations r ON r.id = c.remediation_id
                 WHERE c.status = 'requested' AND c.batch_key IS NOT NULL AND c.region = ANY($1::varchar[])
                   AND r.state = 'running' AND NOT r.cancel_requested LIMIT $2) b) AS requests`,
      [regions, limit],
    );
    return Math.max(starts as number, requests as number);
  }
}
