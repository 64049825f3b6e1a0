/**
 * The dispatcher's claim, one statement: up to `max` requested runs of one group whose
 * remediation is still running and not being cancelled or ended (rows locked, locked ones
 * skipped), one instance once; a batch row in `sending` (epoch 1); each run `requested ->
 * sending` with a new epoch and the batch id; a `command_batched` event on each remediation.
 *
 * The remediation is read once per run, in a LATERAL subquery fenced by OFFSET 0 (PostgreSQL
 * cannot pull it up into a join), so the only plan is the one that stays cheap: the group's
 * requested runs in `requested_at` order from their partial index (from the group's floor, see
 * claim-floors.ts), each run's remediation by its id, stopping at the limit. Two scalar subqueries
 * read it twice (58 % of a claim's buffer reads at 30,000). With a join the planner chose by
 * `remediations`' statistics; when they were stale (fewer `running` rows than there were), it read
 * every running remediation and sorted: 858 ms instead of 17 ms for one claim, measured in the
 * 100,000 bench between two ANALYZEs (test/persistence/batch-claims.e2e-spec.ts proves the plan).
 *
 * Not prepared: a generic plan of this statement cost PostgreSQL more CPU than planning it each time.
 */
export const CLAIM_SQL = `WITH picked AS (
         SELECT c.id, c.instance_id, c.script_name, c.requested_at, r.boot_time_before
           FROM command_runs c
          CROSS JOIN LATERAL (
                SELECT r.boot_time_before FROM remediations r
                 WHERE r.id = c.remediation_id AND r.state = 'running' AND NOT r.cancel_requested AND NOT (r.step_data ? 'ending')
                OFFSET 0) r
          WHERE c.status = 'requested' AND c.region = $1 AND c.batch_key = $2 AND c.requested_at >= $8::timestamptz
          ORDER BY c.requested_at LIMIT $3
          FOR UPDATE OF c SKIP LOCKED
       ), chosen AS (
         SELECT * FROM (SELECT DISTINCT ON (instance_id) * FROM picked ORDER BY instance_id, requested_at) one_each
          ORDER BY requested_at LIMIT $4
       ), batch AS (
         INSERT INTO command_batches (id, region, channel, batch_key, script_name, status, run_count, lookup_until)
         SELECT $5, $1, $6, $2, min(script_name), 'sending', count(*), now() + make_interval(secs => $7) FROM chosen HAVING count(*) > 0
         RETURNING *, now() AS db_now
       ), updated AS (
         UPDATE command_runs c SET status = 'sending', send_epoch = c.send_epoch + 1, sending_at = now(), batch_id = batch.id,
                lookup_until = now() + make_interval(secs => $7), send_unknown_at = NULL, lookup_count = 0
           FROM chosen, batch
          WHERE c.id = chosen.id AND c.status = 'requested'
         RETURNING c.id, c.remediation_id, c.instance_id, c.step, c.script_name, c.parameters, c.send_epoch, chosen.boot_time_before, chosen.requested_at
       ), logged AS (
         INSERT INTO timeline_events (remediation_id, type, step, message, data)
         SELECT u.remediation_id, 'command_batched', u.step,
                u.script_name || ' goes out in batch ' || $5 || ' with ' || (n.size - 1) || ' other instance(s)',
                jsonb_build_object('commandRunId', u.id, 'batchId', $5, 'epoch', u.send_epoch, 'size', n.size)
           FROM updated u, (SELECT count(*)::int AS size FROM updated) n
       )
       SELECT u.id, u.remediation_id, u.instance_id, u.step, u.script_name, u.parameters, u.send_epoch, u.boot_time_before, u.requested_at, to_jsonb(b) AS batch
         FROM updated u, batch b ORDER BY u.requested_at`;

/**
 * CLAIM_SQL's parameters. A tenth more than `max` rows are locked, so that `max` distinct instances
 * remain when an instance has two runs in a group (rare: one active remediation per instance);
 * locking twice `max` read and locked 50 runs for nothing in every full claim. `floor` is where the
 * group's requested runs are read from (claim-floors.ts), '-infinity' for all of them.
 */
export function claimParams(region: string, channel: string, key: string, max: number, batchId: string, lookupS: number, floor = '-infinity'): unknown[] {
  return [region, key, max + Math.ceil(max / 10), max, batchId, channel, lookupS, floor];
}
