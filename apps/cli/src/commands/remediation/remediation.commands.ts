import { Command, InvalidArgumentError, Option } from 'commander';
import { ApiClient, ApiError, ConfigurationError } from '../../api-client';
import { EXIT_CODES_HELP, REMEDIATION_EXIT, remediationExitCode } from './exit-codes';
import { followRemediation } from './follow';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_HELP = `
The API key comes from RDPFIX_API_KEY or the config file ($RDPFIX_CONFIG, default
~/.config/rdpfix/config.json: {"apiUrl": "...", "apiKey": "..."}) — never from a flag, so it stays
out of shell history. RDPFIX_API_URL defaults to http://127.0.0.1:3000.`;

interface Common {
  json?: boolean;
  lang?: string;
  timeout?: number;
}

const seconds = (v: string) => {
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('a number of seconds (1 or more)');
  return Number(v);
};
const remediationId = (v: string) => {
  if (!UUID.test(v)) throw new InvalidArgumentError('a remediation id (a UUID, as printed when it was created)');
  return v;
};

/** The language of messages and summaries: --lang, else RDPFIX_LANG / LANG (zh_CN.UTF-8 → zh-CN). */
function languageOf(o: Common): string {
  const raw = o.lang ?? process.env.RDPFIX_LANG ?? process.env.LANG ?? '';
  return /^zh/i.test(raw) ? 'zh-CN' : 'en';
}

/** Runs a command body: prints the API's error (and its fields) on failure; exits with the code. */
async function run(json: boolean | undefined, fn: (api: ApiClient) => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await fn(ApiClient.fromEnvironment());
  } catch (err) {
    if (json) {
      const body = err instanceof ApiError ? (err.body ?? { statusCode: err.status, message: err.message }) : { error: 'cli_error', message: (err as Error).message };
      console.log(JSON.stringify({ error: body }, null, 2));
    } else {
      console.error(`rdpfix: ${(err as Error).message}`);
      if (err instanceof ApiError) for (const f of err.body?.fields ?? []) console.error(`  ${f.field}: ${f.message}`);
      else if (!(err instanceof ConfigurationError) && (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') console.error('  is the API running? (RDPFIX_API_URL)');
    }
    code = REMEDIATION_EXIT.error;
  }
  process.exit(code);
}

/** The end of a followed remediation: summary and preview (or JSON), and the exit code. */
function report(r: any, o: Common, timedOut: boolean): number {
  const code = timedOut ? REMEDIATION_EXIT.timedOut : remediationExitCode(r);
  if (o.json) {
    console.log(JSON.stringify(r, null, 2));
    return code;
  }
  const zh = languageOf(o) === 'zh-CN';
  const head =
    r.state === 'finished'
      ? `remediation ${r.id} finished: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`
      : r.state === 'awaiting_approval'
        ? `remediation ${r.id} is waiting for approval${r.approvalExpiresAt ? ` until ${r.approvalExpiresAt}` : ''}: rdpfix approve ${r.id}`
        : `remediation ${r.id} is ${r.state} (step ${r.step})${timedOut ? ': --timeout elapsed' : ''}`;
  console.log(head);
  if (r.summary) console.log(`\n${r.summary}`);
  if (Array.isArray(r.preview) && r.preview.length && (r.mode === 'diagnose' || r.state === 'awaiting_approval')) {
    console.log(`\n${zh ? '修复方案预览' : 'What a fix would do'}:`);
    for (const line of r.preview) console.log(`  - ${line}`);
  }
  return code;
}

function printCreated(r: any, o: Common): void {
  if (!o.json) console.log(`remediation ${r.id} created (${r.mode} of ${r.instanceId} in ${r.region})`);
}

const commonOptions = (c: Command) =>
  c
    .option('--json', 'print the result as JSON (for scripts); no progress display')
    .addOption(new Option('--lang <lang>', 'language of messages and the summary (default: from LANG)').choices(['en', 'zh-CN']))
    .option('--timeout <seconds>', 'stop waiting after this long (exit 7)', seconds);

/** `rdpfix diagnose|fix|watch|approve|cancel`: single remediations through the API (issue 11). */
export function remediationCommands(): Command[] {
  const diagnose = commonOptions(
    new Command('diagnose')
      .description('diagnose one instance (read-only: changes nothing) and print what a fix would do')
      .argument('<instanceId>', 'the instance, e.g. i-0abc123def4567890 (AWS) or i-uvvtdzuxre (JD Cloud)')
      .requiredOption('--region <region>', 'the instance\'s region, e.g. eu-west-1 or cn-north-1')
      .option('--ticket <ref>', 'the support ticket this belongs to (stored, searchable)')
      .option('--no-wait', 'return once it is accepted instead of following it to the end'),
  )
    .addHelpText('after', `${EXIT_CODES_HELP}\n${KEY_HELP}\n\nExample:\n  rdpfix diagnose i-0abc123def4567890 --region eu-west-1`)
    .action((instanceId: string, o: Common & { region: string; ticket?: string; wait: boolean }) =>
      run(o.json, async (api) => {
        const r = await api.request('POST', '/v1/remediations', { json: { instanceId, region: o.region, mode: 'diagnose', source: o.ticket ? 'ticket' : 'api', ...(o.ticket ? { ticketRef: o.ticket } : {}) } });
        printCreated(r, o);
        if (!o.wait) {
          if (o.json) console.log(JSON.stringify(r, null, 2));
          return REMEDIATION_EXIT.ok;
        }
        const { remediation, timedOut } = await followRemediation(api, r.id, { quiet: o.json, lang: languageOf(o), timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
        return report(remediation, o, timedOut);
      }),
    );

  const fix = commonOptions(
    new Command('fix')
      .description('repair one instance: diagnose, then fix (restarting only with --allow-reboot or after `rdpfix approve`)')
      .argument('<instanceId>', 'the instance, e.g. i-0abc123def4567890 (AWS) or i-uvvtdzuxre (JD Cloud)')
      .requiredOption('--region <region>', 'the instance\'s region, e.g. eu-west-1 or cn-north-1')
      .option('--allow-reboot', 'consent to the restart the fix may need (otherwise it waits for approval before changing anything)', false)
      .addOption(new Option('--strategy <strategy>', 'how to repair the licensing lockout').choices(['remove-role', 'configure-licensing']).default('remove-role'))
      .option('--license-server <host>', 'with configure-licensing: the customer\'s license server')
      .addOption(new Option('--licensing-mode <mode>', 'with configure-licensing: the CAL type').choices(['per-user', 'per-device']))
      .option('--ticket <ref>', 'the support ticket this belongs to (stored, searchable)')
      .option('--wait', 'follow it until it ends (or waits for approval: exit 6)', false),
  )
    .addHelpText('after', `${EXIT_CODES_HELP}\n${KEY_HELP}\n\nExamples:\n  rdpfix fix i-0abc123def4567890 --region eu-west-1 --allow-reboot --wait\n  rdpfix fix i-uvvtdzuxre --region cn-north-1 --strategy configure-licensing --license-server ls01.corp.example.com --licensing-mode per-user --wait`)
    .action((instanceId: string, o: Common & { region: string; allowReboot: boolean; strategy: string; licenseServer?: string; licensingMode?: string; ticket?: string; wait: boolean }) =>
      run(o.json, async (api) => {
        const body = {
          instanceId,
          region: o.region,
          mode: 'fix',
          strategy: o.strategy,
          allowReboot: o.allowReboot,
          source: o.ticket ? 'ticket' : 'api',
          ...(o.ticket ? { ticketRef: o.ticket } : {}),
          ...(o.licenseServer ? { licenseServer: o.licenseServer } : {}),
          ...(o.licensingMode ? { licensingMode: o.licensingMode } : {}),
        };
        const r = await api.request('POST', '/v1/remediations', { json: body });
        printCreated(r, o);
        if (!o.wait) {
          if (o.json) console.log(JSON.stringify(r, null, 2));
          else console.log(`follow it with: rdpfix watch ${r.id}`);
          return REMEDIATION_EXIT.ok;
        }
        const { remediation, timedOut } = await followRemediation(api, r.id, { quiet: o.json, lang: languageOf(o), stopAtApproval: true, timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
        return report(remediation, o, timedOut);
      }),
    );

  const watch = commonOptions(
    new Command('watch')
      .description('follow a remediation live until it ends (or waits for approval: exit 6); a step bar on a terminal, plain lines otherwise')
      .argument('<remediationId>', 'the remediation id', remediationId),
  )
    .addHelpText('after', `${EXIT_CODES_HELP}\n${KEY_HELP}`)
    .action((id: string, o: Common) =>
      run(o.json, async (api) => {
        const { remediation, timedOut } = await followRemediation(api, id, { quiet: o.json, lang: languageOf(o), stopAtApproval: true, timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
        return report(remediation, o, timedOut);
      }),
    );

  const approve = commonOptions(
    new Command('approve')
      .description('approve a remediation that waits for approval: its change and the restart together (it is diagnosed again first)')
      .argument('<remediationId>', 'the remediation id', remediationId)
      .option('--wait', 'then follow it until it ends', false),
  )
    .addHelpText('after', `${EXIT_CODES_HELP}\n${KEY_HELP}`)
    .action((id: string, o: Common & { wait: boolean }) =>
      run(o.json, async (api) => {
        const r = await api.request('POST', `/v1/remediations/${id}/approve`);
        if (!o.wait) {
          if (o.json) console.log(JSON.stringify(r, null, 2));
          else console.log(`remediation ${id} approved; it is ${r.state} (follow it with: rdpfix watch ${id})`);
          return REMEDIATION_EXIT.ok;
        }
        if (!o.json) console.log(`remediation ${id} approved`);
        const { remediation, timedOut } = await followRemediation(api, id, { quiet: o.json, lang: languageOf(o), timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
        return report(remediation, o, timedOut);
      }),
    );

  const cancel = commonOptions(
    new Command('cancel')
      .description('cancel a remediation: at once if nothing is in flight, otherwise at its next safe point (never in the middle of a change)')
      .argument('<remediationId>', 'the remediation id', remediationId)
      .option('--wait', 'then follow it until it ends', false),
  )
    .addHelpText('after', `${EXIT_CODES_HELP}\n${KEY_HELP}`)
    .action((id: string, o: Common & { wait: boolean }) =>
      run(o.json, async (api) => {
        const r = await api.request('POST', `/v1/remediations/${id}/cancel`);
        if (r.state === 'finished' || !o.wait) {
          // The cancel itself succeeded: exit 0 (with --wait the exit code is the outcome's).
          if (o.json) {
            console.log(JSON.stringify(r, null, 2));
            return REMEDIATION_EXIT.ok;
          }
          if (r.state === 'finished') {
            const full = await api.request('GET', `/v1/remediations/${id}`, { headers: { 'accept-language': languageOf(o) } });
            report(full, o, false);
            return REMEDIATION_EXIT.ok;
          }
          console.log(`cancel of ${id} accepted: it stops at its next safe point (follow it with: rdpfix watch ${id})`);
          return REMEDIATION_EXIT.ok;
        }
        const { remediation, timedOut } = await followRemediation(api, id, { quiet: o.json, lang: languageOf(o), timeoutMs: o.timeout ? o.timeout * 1000 : undefined });
        return report(remediation, o, timedOut);
      }),
    );

  return [diagnose, fix, watch, approve, cancel];
}
