import type { TargetFilter } from '../intake/campaign-params';
import { STAGE_TABLE } from './stage-writer';

/** Why an instance given to a campaign will not be run (checked at creation, set-based). */
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

/** SQL that is true when a staged row `s` matches a filter; pushes its parameters. */
export function filterSql(f: TargetFilter, params: unknown[]): string {
  const parts: string[] = [];
  if (f.tenantId !== undefined) {
    params.push(f.tenantId);
    parts.push(`s.inv_tenant = $${params.length}`);
  }
  if (f.region !== undefined) {
    params.push(f.region);
    parts.push(`s.inv_region = $${params.length}`);
  }
  if (f.tags !== undefined) {
    params.push(JSON.stringify(f.tags));
    parts.push(`coalesce(s.tags, '{}'::jsonb) @> $${params.length}::jsonb`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : 'false';
}

/**
 * Copies the staged rows into campaign_targets with, for each, the first reason it cannot run
 * (in this order: excluded by id — an exclusion always wins —, not found (or another tenant's,
 * for a tenant-bound key), excluded by filter, in another region, not Windows, not running, an
 * active remediation elsewhere) and returns the count per reason ('' = eligible). One statement.
 */
export function insertTargetsSql(p: { campaignId: string; excludeIds: string[]; excludeFilters: TargetFilter[]; scopeTenant: string | null }): { sql: string; params: unknown[] } {
  const params: unknown[] = [p.campaignId, p.excludeIds, p.scopeTenant];
  const filters = p.excludeFilters.map((f) => filterSql(f, params));
  const byFilter = filters.length ? filters.join(' OR ') : 'false';
  const sql = `
    WITH s AS (
      SELECT s.line, s.instance_id, s.region, s.inv_tenant, s.attempt,
        CASE
          WHEN s.instance_id = ANY($2::text[]) THEN 'excluded_by_id'
          WHEN NOT s.found OR ($3::text IS NOT NULL AND s.inv_tenant IS DISTINCT FROM $3::text) THEN 'not_found'
          WHEN ${byFilter} THEN 'excluded_by_filter'
          WHEN s.inv_region IS DISTINCT FROM s.region THEN 'region_mismatch'
          WHEN s.is_windows IS NOT TRUE THEN 'not_windows'
          WHEN s.inv_state IN ('stopped', 'stopping') THEN 'stopped'
          WHEN s.inv_state IS DISTINCT FROM 'running' THEN 'not_running'
          WHEN a.instance_id IS NOT NULL THEN 'active_remediation'
        END AS excl
      FROM ${STAGE_TABLE} s
      -- One hash join with the (few) active remediations instead of a probe per target.
      LEFT JOIN (SELECT DISTINCT instance_id FROM remediations WHERE state <> 'finished') a ON a.instance_id = s.instance_id
    ), ins AS (
      INSERT INTO campaign_targets (campaign_id, seq, instance_id, region, tenant_id, state, outcome, reason, attempt)
      SELECT $1, s.line, s.instance_id, s.region, s.inv_tenant,
             CASE WHEN s.excl IS NULL THEN 'pending' ELSE 'excluded' END,
             CASE WHEN s.excl IS NULL THEN NULL ELSE 'skipped' END,
             s.excl, s.attempt
        FROM s
      RETURNING reason
    )
    SELECT coalesce(reason, '') AS reason, count(*)::int AS n FROM ins GROUP BY 1`;
  return { sql, params };
}
