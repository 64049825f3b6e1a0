import cliProgress from 'cli-progress';
import { ApiClient } from '../api-client';
import { campaignExitCode } from './campaign-exit';

/** One line of progress (plain mode, and the bar's payload). */
export function progressLine(c: any): string {
  const p = c.progress ?? {};
  const counts = c.counts ?? {};
  const eta = p.eta ? formatDuration(p.eta.seconds) : '—';
  const rate = p.rate ? `${p.rate.last5MinutesPerMinute}/min (last min ${p.rate.lastMinute})` : '—';
  return [
    `${c.state}`,
    `done ${counts.done ?? 0}/${c.targets?.eligible ?? 0}`,
    `in flight ${counts.running ?? 0}`,
    counts.parked || counts.approved ? `awaiting approval ${(counts.parked ?? 0) + (counts.approved ?? 0)}` : null,
    `failures ${c.budget?.failures ?? 0}/${c.budget?.maxErrors ?? 0} (stops at ${(c.budget?.maxErrors ?? 0) + 1})`,
    `unreachable ${c.budget?.unreachable ?? 0}`,
    `rate ${rate}`,
    `ETA ${eta}`,
    callBudgetPart(c.callBudget),
  ]
    .filter(Boolean)
    .join(' | ');
}

/** Regions shown at most; the most throttled first. */
const BUDGET_REGIONS_SHOWN = 3;

/**
 * The shared channel call budget of the campaign's regions: effective/limit calls per second
 * ("?" when the API could not read it), e.g. `call budget us-east-1 20/40/s, eu-west-1 40/40/s`.
 */
export function callBudgetPart(budget: Record<string, { limit: number; effective: number | null }> | undefined): string | null {
  const entries = Object.entries(budget ?? {});
  if (!entries.length) return null;
  const ratio = (b: { limit: number; effective: number | null }) => (b.effective === null ? 2 : b.effective / b.limit);
  entries.sort((a, b) => ratio(a[1]) - ratio(b[1]) || a[0].localeCompare(b[0]));
  const shown = entries.slice(0, BUDGET_REGIONS_SHOWN).map(([region, b]) => `${region} ${b.effective ?? '?'}/${b.limit}/s`);
  const more = entries.length - shown.length;
  return `call budget ${shown.join(', ')}${more > 0 ? ` +${more} more` : ''}`;
}

export function formatDuration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Follows a campaign over SSE until it ends: a live bar (cli-progress) on a terminal, plain
 * lines otherwise (one per change, at most every `plainEveryMs`). Returns the exit code.
 */
export async function watchCampaign(api: ApiClient, id: string, opts: { tty?: boolean; plainEveryMs?: number } = {}): Promise<number> {
  const tty = opts.tty ?? Boolean(process.stdout.isTTY);
  const plainEvery = opts.plainEveryMs ?? 2000;
  let latest: any = await api.request('GET', `/v1/campaigns/${id}`);
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: 'campaign {bar} {percentage}% | {line}', hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(Math.max(1, latest.targets.eligible), latest.counts.done ?? 0, { line: progressLine(latest) });
  let lastPrinted = '';
  let lastAt = 0;
  const show = (c: any, force = false) => {
    latest = c;
    if (bar) {
      bar.setTotal(Math.max(1, c.targets.eligible));
      bar.update(c.counts.done ?? 0, { line: progressLine(c) });
      return;
    }
    const line = progressLine(c);
    if (line !== lastPrinted && (force || Date.now() - lastAt >= plainEvery)) {
      console.log(`${new Date().toISOString()} ${line}`);
      lastPrinted = line;
      lastAt = Date.now();
    }
  };
  if (!tty) show(latest, true);
  for await (const msg of api.events(`/v1/campaigns/${id}/events`)) {
    if (msg.event === 'progress') show(msg.data);
    else if (msg.event === 'end') break;
    else if (!bar) console.log(`${new Date().toISOString()} ${msg.event}: ${msg.data?.message ?? ''}`);
  }
  latest = await api.request('GET', `/v1/campaigns/${id}`);
  show(latest, true);
  bar?.stop();
  const outcomes = Object.entries(latest.outcomes ?? {}).map(([k, n]) => `${n} ${k}`).join(', ');
  console.log(`campaign ${id} ${latest.state}: ${outcomes || 'no targets'}${latest.budget?.stop ? ` (stopped on ${latest.budget.stop.kind}: ${latest.budget.stop.countAtStop} at the stop, overshoot ${latest.budget.stop.overshoot})` : ''}`);
  return campaignExitCode(latest);
}
