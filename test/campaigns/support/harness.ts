import { Client } from 'pg';
import type { AppConfig } from '@rdpfix/config';
import { Json, Stack, StackOptions } from '../../support/stack';

/** Fast scheduler timings for tests (the defaults are for production). */
export const CAMPAIGN_TEST_CONFIG: Partial<AppConfig> = {
  CAMPAIGN_WAKE_COALESCE_MS: 50,
  CAMPAIGN_SWEEP_INTERVAL_MS: 400,
  CAMPAIGN_PROGRESS_POLL_MS: 100,
};

export interface CampaignStack {
  stack: Stack;
  pg: Client;
  keys: { fleet: string; support: string; console: string; fleetA: string; admin: string };
  /** The fleet key's webhook signing secret (campaign webhooks are signed with it). */
  fleetWebhookSecret: string;
  close(): Promise<void>;
}

export async function startCampaignStack(opts: StackOptions = {}): Promise<CampaignStack> {
  const stack = await Stack.start({ ...opts, config: { ...CAMPAIGN_TEST_CONFIG, ...(opts.config ?? {}) } });
  const pg = new Client({ connectionString: stack.dbUrl });
  await pg.connect();
  const fleet = await stack.createKey('fleet');
  const keys = {
    admin: stack.adminKey,
    fleet: fleet.key,
    support: (await stack.createKey('support')).key,
    console: (await stack.createKey('console', 'tenant-a')).key,
    fleetA: (await stack.createKey('fleet', 'tenant-a')).key,
  };
  return {
    stack,
    pg,
    keys,
    fleetWebhookSecret: fleet.webhookSecret,
    close: async () => {
      await pg.end().catch(() => undefined);
      await stack.close();
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Creates `count` simulated instances (one preset) and returns their ids. */
/** The changing scripts that reached a simulated server, in the order it received them. */
export async function changingScripts(stack: Stack, instanceId: string): Promise<{ name: string; receivedAt: number }[]> {
  const cmds = (await stack.simCommands(instanceId)) as Json[];
  return cmds.filter((c) => c.changing).map((c) => ({ name: c.scriptName as string, receivedAt: Date.parse(c.receivedAt) }));
}

export async function simFleet(stack: Stack, count: number, opts: { preset?: string; tenantId?: string; region?: string; tags?: Record<string, string>; os?: string } = {}): Promise<string[]> {
  const res = await stack.http('POST', `${stack.simUrl}/admin/fleet`, {
    count,
    tenantId: opts.tenantId ?? 'tenant-a',
    region: opts.region ?? 'eu-west-1',
    mix: { [opts.preset ?? 'healthy']: 1 },
    ...(opts.os ? { osMix: { [opts.os]: 1 } } : {}),
    ...(opts.tags ? { tags: opts.tags } : {}),
  });
  if (res.status !== 201) throw new Error(`sim fleet failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.instanceIds;
}

export async function simStats(stack: Stack): Promise<Json> {
  return (await stack.http('GET', `${stack.simUrl}/admin/stats`)).body;
}

export async function resetSimStats(stack: Stack): Promise<void> {
  await stack.http('POST', `${stack.simUrl}/admin/stats/reset`);
}

export async function setCloud(stack: Stack, id: string, attrs: Json): Promise<void> {
  const res = await stack.http('PUT', `${stack.simUrl}/admin/instances/${id}/cloud`, attrs);
  if (res.status >= 300) throw new Error(`cloud attrs ${res.status} ${JSON.stringify(res.body)}`);
}

export function targetsOf(ids: string[], region = 'eu-west-1') {
  return ids.map((instanceId) => ({ instanceId, region }));
}

/** POST /v1/campaigns with a JSON body; returns status and body. */
export async function postCampaign(stack: Stack, key: string, body: Json, query = '') {
  return stack.http('POST', `/v1/campaigns${query}`, body, bearer(key));
}

export async function createCampaign(stack: Stack, key: string, body: Json): Promise<Json> {
  const res = await postCampaign(stack, key, body);
  if (res.status !== 201) throw new Error(`campaign create failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getCampaign(stack: Stack, id: string, key = stack.adminKey): Promise<Json> {
  const res = await stack.http('GET', `/v1/campaigns/${id}`, undefined, bearer(key));
  if (res.status !== 200) throw new Error(`campaign get failed ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls until the campaign's state is one of `states`. */
export async function waitCampaign(stack: Stack, id: string, states: string[] = ['completed', 'stopped', 'cancelled'], timeoutMs = 90_000, until?: (c: Json) => boolean): Promise<Json> {
  const end = Date.now() + timeoutMs;
  let c: Json = {};
  while (Date.now() < end) {
    c = await getCampaign(stack, id);
    if (states.includes(c.state) && (!until || until(c))) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`campaign ${id} still ${c.state} after ${timeoutMs} ms: ${JSON.stringify({ counts: c.counts, outcomes: c.outcomes })}`);
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Report rows (JSON format). */
export async function report(stack: Stack, id: string, query = ''): Promise<Json[]> {
  const res = await stack.http('GET', `/v1/campaigns/${id}/report${query}`);
  if (res.status !== 200) throw new Error(`report ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Rows in the campaign tables (to prove "nothing written"). */
export async function campaignRowCounts(pg: Client): Promise<{ campaigns: number; targets: number; waves: number; events: number; remediations: number }> {
  const r = await pg.query(`SELECT (SELECT count(*) FROM campaigns)::int AS campaigns, (SELECT count(*) FROM campaign_targets)::int AS targets,
    (SELECT count(*) FROM campaign_waves)::int AS waves, (SELECT count(*) FROM campaign_events)::int AS events, (SELECT count(*) FROM remediations)::int AS remediations`);
  return r.rows[0];
}
