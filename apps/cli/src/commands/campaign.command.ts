import { createWriteStream } from 'fs';
import { openAsBlob } from 'fs';
import { readFile } from 'fs/promises';
import path from 'path';
import { pipeline } from 'stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import { ApiClient, ApiError, ConfigurationError } from '../api-client';
import { CAMPAIGN_EXIT } from './campaign-exit';
import { watchCampaign } from './campaign-watch';

const amount = (v: string) => {
  if (!/^\d{1,7}%?$/.test(v)) throw new InvalidArgumentError('a count (10) or a percentage (10%)');
  return v.endsWith('%') ? v : Number(v);
};
const tag = (v: string, prev: Record<string, string> = {}) => {
  const i = v.indexOf('=');
  if (i < 1) throw new InvalidArgumentError('key=value');
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
};
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const int = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number');
  return Number(v);
};
const UUID = /^[0-9a-f-]{36}$/i;

/** Runs a command body and turns its result or error into an exit code (errors print the API's message and fields). */
async function run(fn: (api: ApiClient) => Promise<number | void>): Promise<never> {
  let code: number;
  try {
    code = (await fn(ApiClient.fromEnvironment())) ?? CAMPAIGN_EXIT.ok;
  } catch (err) {
    if (err instanceof ApiError) {
      console.error(`rdpfix: ${err.message}`);
      for (const f of err.body?.fields ?? []) console.error(`  ${f.field}: ${f.message}`);
    } else if (err instanceof ConfigurationError) {
      console.error(`rdpfix: ${err.message}`);
    } else {
      console.error(`rdpfix: ${(err as Error).message}`);
    }
    code = CAMPAIGN_EXIT.error;
  }
  process.exit(code);
}

function checkId(id: string): string {
  if (!UUID.test(id)) {
    console.error('rdpfix: the campaign id must be a UUID');
    process.exit(CAMPAIGN_EXIT.error);
  }
  return id;
}

interface StartOptions {
  file?: string;
  filterTenant?: string;
  filterRegion?: string;
  filterTag?: Record<string, string>;
  region?: string;
  name?: string;
  mode: string;
  strategy?: string;
  allowReboot?: boolean;
  licenseServer?: string;
  licensingMode?: string;
  maxConcurrency?: number | string;
  maxErrors?: number | string;
  maxUnreachable?: number | string;
  waves?: string[];
  waveBake?: number;
  exclude?: string[];
  excludeTag?: Record<string, string>;
  callbackUrl?: string;
  preview?: boolean;
  watch?: boolean;
}

/** The campaign parameters as the API takes them. */
function specOf(o: StartOptions): Record<string, unknown> {
  const spec: Record<string, unknown> = { mode: o.mode };
  if (o.name) spec.name = o.name;
  if (o.strategy) spec.strategy = o.strategy;
  if (o.allowReboot) spec.allowReboot = true;
  if (o.licenseServer) spec.licenseServer = o.licenseServer;
  if (o.licensingMode) spec.licensingMode = o.licensingMode;
  if (o.maxConcurrency !== undefined) spec.maxConcurrency = o.maxConcurrency;
  if (o.maxErrors !== undefined) spec.maxErrors = o.maxErrors;
  if (o.maxUnreachable !== undefined) spec.maxUnreachable = o.maxUnreachable;
  if (o.waves) spec.waves = o.waves.map((w) => (w.endsWith('%') ? w : Number(w)));
  if (o.waveBake !== undefined) spec.waveBakeSeconds = o.waveBake;
  if (o.callbackUrl) spec.callbackUrl = o.callbackUrl;
  if (o.region) spec.region = o.region;
  if (o.exclude?.length || o.excludeTag) {
    spec.exclude = { ...(o.exclude?.length ? { instanceIds: o.exclude } : {}), ...(o.excludeTag ? { filters: [{ tags: o.excludeTag }] } : {}) };
  }
  return spec;
}

function printCreation(c: any): void {
  const t = c.targets;
  const rc = c.rateControl;
  console.log(c.preview ? 'preview (nothing created):' : `campaign ${c.id} created (${c.state})`);
  console.log(`  targets: ${t.input} given, ${t.eligible} to run, ${t.excluded} excluded${t.excluded ? ` (${Object.entries(t.excludedByReason).map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}`);
  console.log(`  max concurrency: ${rc.maxConcurrency.value} (${rc.maxConcurrency.spec}); max errors: ${rc.maxErrors.value} (${rc.maxErrors.spec}) — ${rc.maxErrors.text}; unreachable: ${rc.maxUnreachable.text}`);
  console.log(`  waves: ${rc.waves.map((w: any) => `${w.size} (${w.spec})`).join(' → ')}${rc.waveBakeSeconds ? `, ${rc.waveBakeSeconds}s bake between waves` : ''}`);
  for (const e of c.exclusions ?? []) console.log(`  excluded ${e.instanceId} ${e.region}: ${e.reason}`);
  if (c.exclusionsShown < t.excluded) console.log(`  … ${t.excluded - c.exclusionsShown} more in the report`);
  for (const s of c.sample ?? []) console.log(`  would run ${s.instanceId} ${s.region}`);
}

/** `rdpfix campaign …`: fleet campaigns through the API (the key from RDPFIX_API_KEY or the config file). */
export function campaignCommand(): Command {
  const campaign = new Command('campaign').description('fleet campaigns (API key from RDPFIX_API_KEY or ~/.config/rdpfix/config.json; URL from RDPFIX_API_URL)');

  campaign
    .command('start')
    .description('create a campaign from a file (CSV, one instance id per line, or a JSON list) or an inventory filter')
    .option('--file <path>', 'targets: .csv / .txt (instanceId[,region] per line) or .json ([{instanceId, region}])')
    .option('--filter-tenant <tenantId>', 'inventory filter: tenant')
    .option('--filter-region <region>', 'inventory filter: region')
    .option('--filter-tag <key=value>', 'inventory filter: tag (repeatable)', tag)
    .option('--region <region>', 'region of file rows that name none')
    .option('--name <name>', 'a name for the campaign')
    .option('--mode <mode>', 'diagnose (a fleet census, changes nothing) or fix', 'diagnose')
    .option('--strategy <strategy>', 'remove-role | configure-licensing')
    .option('--allow-reboot', 'consent to restarts (otherwise they wait for `campaign approve`)')
    .option('--license-server <host>', 'with configure-licensing')
    .option('--licensing-mode <mode>', 'per-user | per-device (with configure-licensing)')
    .option('--max-concurrency <n|p%>', 'targets in flight at once (percentages round up, at least 1)', amount)
    .option('--max-errors <n|p%>', 'stop when failures exceed this (percentages round down)', amount)
    .option('--max-unreachable <n|p%>', 'stop when unreachable instances exceed this', amount)
    .option('--waves <list>', 'cumulative waves, e.g. 1,10,5%,100%', list)
    .option('--wave-bake <seconds>', 'wait between waves', int)
    .option('--exclude <ids>', 'instance ids to leave out (comma list)', list)
    .option('--exclude-tag <key=value>', 'leave out instances with this tag (repeatable)', tag)
    .option('--callback-url <url>', 'webhooks on campaign state changes')
    .option('--preview', 'show counts, a sample and the exclusions; create nothing')
    .option('--watch', 'follow the campaign until it ends; exit code as `campaign watch`')
    .action((o: StartOptions) =>
      run(async (api) => {
        const spec = specOf(o);
        const query = o.preview ? { preview: 'true' } : undefined;
        let created: any;
        if (o.file) {
          if (o.filterTenant || o.filterRegion || o.filterTag) throw new Error('give --file or a filter, not both');
          if (path.extname(o.file).toLowerCase() === '.json') {
            const targets = JSON.parse(await readFile(o.file, 'utf8')) as unknown;
            created = await api.request('POST', '/v1/campaigns', { json: { ...spec, targets }, query });
          } else {
            const form = new FormData();
            form.set('spec', JSON.stringify(spec));
            form.set('targets', await openAsBlob(o.file, { type: 'text/csv' }), path.basename(o.file));
            created = await api.request('POST', '/v1/campaigns', { form, query });
          }
        } else {
          const filter = { ...(o.filterTenant ? { tenantId: o.filterTenant } : {}), ...(o.filterRegion ? { region: o.filterRegion } : {}), ...(o.filterTag ? { tags: o.filterTag } : {}) };
          if (!Object.keys(filter).length) throw new Error('give --file or an inventory filter (--filter-tenant, --filter-region, --filter-tag)');
          created = await api.request('POST', '/v1/campaigns', { json: { ...spec, filter }, query });
        }
        printCreation(created);
        if (o.watch && !o.preview) return watchCampaign(api, created.id);
      }),
    );

  campaign
    .command('watch <id>')
    .description(`live progress until the campaign ends; exit 0 only if every target is fixed, already healthy or diagnosed, ${CAMPAIGN_EXIT.completedWithFailures} completed with failures, ${CAMPAIGN_EXIT.stoppedOnBudget} stopped on its budget, ${CAMPAIGN_EXIT.cancelled} cancelled`)
    .action((id: string) => run((api) => watchCampaign(api, checkId(id))));

  campaign
    .command('status <id>')
    .description('the campaign with its progress, as JSON')
    .action((id: string) => run(async (api) => void console.log(JSON.stringify(await api.request('GET', `/v1/campaigns/${checkId(id)}`), null, 2))));

  for (const [verb, what] of [
    ['pause', 'start nothing new; targets in flight finish'],
    ['resume', 'start pending targets again (finished ones are never re-run)'],
  ] as const) {
    campaign
      .command(`${verb} <id>`)
      .description(what)
      .action((id: string) =>
        run(async (api) => {
          const c = await api.request('POST', `/v1/campaigns/${checkId(id)}/${verb}`);
          console.log(`campaign ${c.id} ${c.state}: ${c.counts.pending} pending, ${c.counts.running} in flight, ${c.counts.done} done`);
        }),
      );
  }

  campaign
    .command('cancel <id>')
    .description('cancel: nothing new starts; in-flight targets are cancelled, and the answer says what was stopped and what was not')
    .action((id: string) =>
      run(async (api) => {
        const r = await api.request('POST', `/v1/campaigns/${checkId(id)}/cancel`);
        console.log(`campaign ${r.id} ${r.state}`);
        console.log(`  not started: ${r.cancel.notStarted.count} — ${r.cancel.notStarted.effect}`);
        console.log(`  in flight: ${r.cancel.inFlight.count}`);
        for (const t of r.cancel.inFlight.targets) console.log(`    ${t.instanceId} (step ${t.step}): ${t.explanation}`);
        console.log(`  awaiting approval: ${r.cancel.awaitingApproval.count} — ${r.cancel.awaitingApproval.effect}`);
      }),
    );

  campaign
    .command('retry <id>')
    .description('a child campaign over the targets with these outcomes, with the same parameters')
    .option('--outcome <list>', 'outcomes to retry', list, ['failed', 'timed_out', 'unreachable', 'not_started'])
    .option('--max-concurrency <n|p%>', 'override', amount)
    .option('--max-errors <n|p%>', 'override', amount)
    .option('--watch', 'follow the child campaign')
    .action((id: string, o: { outcome: string[]; maxConcurrency?: number | string; maxErrors?: number | string; watch?: boolean }) =>
      run(async (api) => {
        const body: Record<string, unknown> = { outcomes: o.outcome };
        if (o.maxConcurrency !== undefined) body.maxConcurrency = o.maxConcurrency;
        if (o.maxErrors !== undefined) body.maxErrors = o.maxErrors;
        const child = await api.request('POST', `/v1/campaigns/${checkId(id)}/retry`, { json: body });
        printCreation(child);
        if (o.watch) return watchCampaign(api, child.id);
      }),
    );

  campaign
    .command('approve <id>')
    .description('approve the restarts waiting in awaiting_approval: --all, or --instances / --region / --wave')
    .option('--all', 'every target waiting for approval')
    .option('--instances <ids>', 'these instances', list)
    .option('--region <region>', 'targets in this region')
    .option('--wave <n>', 'targets of this wave', int)
    .action((id: string, o: { all?: boolean; instances?: string[]; region?: string; wave?: number }) =>
      run(async (api) => {
        const body = { ...(o.all ? { all: true } : {}), ...(o.instances ? { instanceIds: o.instances } : {}), ...(o.region ? { region: o.region } : {}), ...(o.wave !== undefined ? { wave: o.wave } : {}) };
        const r = await api.request('POST', `/v1/campaigns/${checkId(id)}/approve`, { json: body });
        console.log(`approved ${r.approved} restart(s); campaign ${r.id} ${r.state}`);
      }),
    );

  campaign
    .command('report <id>')
    .description('one row per instance, streamed (to stdout or --out)')
    .option('--format <format>', 'csv | json', 'csv')
    .option('--outcome <list>', 'only these outcomes (comma list)')
    .option('--out <path>', 'write to a file')
    .action((id: string, o: { format: string; outcome?: string; out?: string }) =>
      run(async (api) => {
        const body = await api.download(`/v1/campaigns/${checkId(id)}/report`, { format: o.format, outcome: o.outcome });
        await pipeline(body, o.out ? createWriteStream(o.out) : process.stdout);
      }),
    );

  campaign
    .command('census <id>')
    .description('the fleet census of a (diagnose) campaign')
    .option('--format <format>', 'csv | json', 'json')
    .action((id: string, o: { format: string }) =>
      run(async (api) => {
        const body = await api.download(`/v1/campaigns/${checkId(id)}/census`, { format: o.format });
        await pipeline(body, process.stdout);
      }),
    );
  return campaign;
}
