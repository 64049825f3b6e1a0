import type { DataSource } from 'typeorm';

/**
 * Where a remediation's time went, from the times PostgreSQL stored (command_runs and
 * remediations), as median / 90th percentile / mean seconds per stage: how long a batched request
 * waited for its send, the send itself, the command on the (simulated) server, and from a
 * command's end to the remediation's next request (result read + advance + any step between).
 * Little's law ties these to the makespan: throughput = targets in flight ÷ time per remediation.
 */
export async function stageLatencies(ds: DataSource): Promise<string[]> {
  const stat = (expr: string, as: string) =>
    `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr}) AS ${as}_p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY ${expr}) AS ${as}_p90, avg(${expr}) AS ${as}_avg`;
  const secs = (a: string, b: string) => `extract(epoch FROM ${a} - ${b})`;
  const [runs] = await ds.query(
    `WITH runs AS (
       SELECT requested_at, sending_at, sent_at, finished_at,
              lead(requested_at) OVER (PARTITION BY remediation_id ORDER BY requested_at) AS next_requested_at
         FROM command_runs WHERE batch_id IS NOT NULL)
     SELECT count(*)::int AS n,
            ${stat(secs('sending_at', 'requested_at'), 'wait')},
            ${stat(secs('sent_at', 'sending_at'), 'send')},
            ${stat(secs('finished_at', 'sent_at'), 'run')},
            ${stat(secs('next_requested_at', 'finished_at'), 'next')}
       FROM runs`,
  );
  const [rems] = await ds.query(
    `SELECT ${stat(secs('r.finished_at', 'r.created_at'), 'total')},
            ${stat(`(SELECT ${secs('min(c.requested_at)', 'r.created_at')} FROM command_runs c WHERE c.remediation_id = r.id)`, 'first')}
       FROM remediations r WHERE r.finished_at IS NOT NULL`,
  );
  const fmt = (row: Record<string, unknown>, as: string) =>
    ['p50', 'p90', 'avg'].map((k) => (row[`${as}_${k}`] === null ? '-' : Number(row[`${as}_${k}`]).toFixed(2))).join(' / ');
  return [
    `where a remediation's time went (s, median / p90 / mean; ${runs.n} batched commands):`,
    `      start → first request (precheck)     ${fmt(rems, 'first')}`,
    `      request → send (dispatch wait)       ${fmt(runs, 'wait')}`,
    `      the send call                        ${fmt(runs, 'send')}`,
    `      sent → finished on the server        ${fmt(runs, 'run')}`,
    `      finished → next request (read+step) ${fmt(runs, 'next')}`,
    `      whole remediation                    ${fmt(rems, 'total')}`,
  ];
}
