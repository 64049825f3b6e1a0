import { Client } from 'pg';

/**
 * Campaign-sourced remediations written the way the campaign scheduler's claim writes them
 * (source `campaign`, queued), so a test can put N of them in flight at once without the
 * scheduler's ramp; the reconciler enqueues them. `step` lets a test start after the precheck.
 */
export async function insertCampaignRemediations(
  pg: Client,
  instanceIds: string[],
  opts: { mode?: 'diagnose' | 'fix'; step?: 'precheck' | 'diagnose'; region?: string; allowReboot?: boolean } = {},
): Promise<string[]> {
  const res = await pg.query(
    `INSERT INTO remediations (instance_id, region, tenant_id, mode, strategy, allow_reboot, source, actor, state, step, deadline_at)
     SELECT id, $2, 'tenant-a', $3, 'remove-role', $4, 'campaign', '{"keyId":null,"role":"fleet","source":"campaign"}'::jsonb, 'queued', $5, now() + interval '1 hour'
       FROM unnest($1::text[]) AS id
     RETURNING id`,
    [instanceIds, opts.region ?? 'eu-west-1', opts.mode ?? 'diagnose', opts.allowReboot ?? true, opts.step ?? 'precheck'],
  );
  return res.rows.map((r) => r.id);
}

export async function waitFinished(pg: Client, ids: string[], timeoutMs = 120_000): Promise<{ id: string; outcome: string; reason: string | null }[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pg.query(`SELECT id, state, outcome, reason FROM remediations WHERE id = ANY($1::uuid[])`, [ids]);
    if (rows.every((r) => r.state === 'finished')) return rows;
    if (Date.now() > end) throw new Error(`not finished after ${timeoutMs} ms: ${JSON.stringify(rows.filter((r) => r.state !== 'finished').slice(0, 3))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
