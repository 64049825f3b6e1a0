import type { TargetFilter } from '../intake/campaign-params';

/** Why an instance given to a campaign will not be run (decided at creation). */
export const EXCLUSION_REASONS = [
  'excluded_by_id',
  'not_found',
  'excluded_by_filter',
  'region_mismatch',
  'not_windows',
  'stopped',
  'not_running',
  'active_remediation',
] as const;

/** SQL that is true when a target row `t` matches a filter; pushes its parameters. */
export function filterSql(f: TargetFilter, params: unknown[]): string {
  const parts: string[] = [];
  if (f.tenantId !== undefined) {
    params.push(f.tenantId);
    parts.push(`t.tenant_id = $${params.length}`);
  }
  if (f.region !== undefined) {
    params.push(f.region);
    parts.push(`t.region = $${params.length}`);
  }
  if (f.tags !== undefined) {
    params.push(JSON.stringify(f.tags));
    parts.push(`coalesce(t.tags, '{}'::jsonb) @> $${params.length}::jsonb`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : 'false';
}

/**
 * Excludes, in one UPDATE, every written target that cannot run, with its first reason in this
 * order: excluded by id (an exclusion always wins), not found (or another tenant's, for a
 * tenant-bound key), excluded by filter, then what the inventory said (another region, not
 * Windows, not running). Only the excluded rows are written; returns one row per excluded target.
 */
export function excludeSql(p: { campaignId: string; excludeIds: string[]; excludeFilters: TargetFilter[] }): { sql: string; params: unknown[] } {
  const params: unknown[] = [p.campaignId, p.excludeIds];
  const byFilter = p.excludeFilters.length ? p.excludeFilters.map((f) => filterSql(f, params)).join(' OR ') : 'false';
  const sql = `
    UPDATE campaign_targets t
       SET state = 'excluded', outcome = 'skipped',
           reason = CASE
             WHEN t.instance_id = ANY($2::text[]) THEN 'excluded_by_id'
             WHEN t.reason = 'not_found' THEN 'not_found'
             WHEN ${byFilter} THEN 'excluded_by_filter'
             ELSE t.reason
           END
     WHERE t.campaign_id = $1 AND (t.reason IS NOT NULL OR t.instance_id = ANY($2::text[]) OR ${byFilter})
    RETURNING t.reason`;
  return { sql, params };
}

/**
 * Excludes the targets whose instance already has an active remediation (one hash join with the
 * few active remediations, not a probe per target).
 */
export const EXCLUDE_ACTIVE_SQL = `
  UPDATE campaign_targets t SET state = 'excluded', outcome = 'skipped', reason = 'active_remediation'
    FROM (SELECT DISTINCT instance_id FROM remediations WHERE state <> 'finished') a
   WHERE t.campaign_id = $1 AND t.state = 'pending' AND a.instance_id = t.instance_id
  RETURNING t.reason`;
