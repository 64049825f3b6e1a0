import cliProgress from 'cli-progress';
import { ApiClient } from '../../api-client';

const STEPS = ['precheck', 'diagnose', 'plan', 'apply', 'reboot', 'verify', 'done'];
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface FollowOptions {
  /** A live bar on a terminal; plain lines otherwise (default: whether stdout is a TTY). */
  tty?: boolean;
  /** No progress output at all (--json). */
  quiet?: boolean;
  /** Accept-Language for the messages and the summary. */
  lang?: string;
  /** Stop and return when the remediation waits for approval. */
  stopAtApproval?: boolean;
  timeoutMs?: number;
}

export interface FollowResult {
  remediation: any;
  timedOut: boolean;
}

/**
 * Follows a remediation over its event stream until it ends (or parks for approval, or the
 * timeout): a step bar with a spinner on a terminal (cli-progress), one plain line per event
 * otherwise. Returns the remediation as GET answers it at the end.
 */
export async function followRemediation(api: ApiClient, id: string, opts: FollowOptions = {}): Promise<FollowResult> {
  const headers = opts.lang ? { 'accept-language': opts.lang } : undefined;
  const get = () => api.request('GET', `/v1/remediations/${id}`, { headers });
  const tty = !opts.quiet && (opts.tty ?? Boolean(process.stdout.isTTY));
  let current = await get();
  if (current.state === 'finished' || (opts.stopAtApproval && current.state === 'awaiting_approval')) return { remediation: current, timedOut: false };

  let frame = 0;
  let step = current.step as string;
  let last = '';
  const bar = tty
    ? new cliProgress.SingleBar({ format: '{spinner} {bar} {step} | {message}', hideCursor: true, clearOnComplete: false, barsize: 14 }, cliProgress.Presets.shades_classic)
    : null;
  const stepIndex = () => Math.max(0, STEPS.indexOf(step));
  bar?.start(STEPS.length - 1, stepIndex(), { spinner: SPINNER[0], step, message: 'waiting for the worker' });
  const spin = bar ? setInterval(() => bar.update(stepIndex(), { spinner: SPINNER[++frame % SPINNER.length], step, message: last }), 100) : undefined;

  let timedOut = false;
  const stream = api.events(`/v1/remediations/${id}/events`, headers ?? {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = opts.timeoutMs ? new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), opts.timeoutMs))) : null;
  try {
    for (;;) {
      // The stream may stay silent for long (a reboot): the timeout must not wait for its next message.
      const next = await (deadline ? Promise.race([stream.next(), deadline]) : stream.next());
      if (next === 'timeout') {
        timedOut = true;
        break;
      }
      if (next.done) break;
      const msg = next.value;
      if (msg.event === 'end') break;
      const e = msg.data ?? {};
      if (e.step) step = e.step;
      last = String(e.message ?? msg.event);
      if (bar) bar.update(stepIndex(), { spinner: SPINNER[frame % SPINNER.length], step, message: last.slice(0, 100) });
      else if (!opts.quiet) console.log(`${e.at ?? new Date().toISOString()} [${step}] ${msg.event}: ${last}`);
      if (opts.stopAtApproval && msg.event === 'approval_required' && (await parked(get))) break;
    }
  } finally {
    clearTimeout(timer);
    clearInterval(spin);
  }
  current = await get();
  if (bar) {
    if (current.state === 'finished') step = 'done';
    bar.update(stepIndex(), { spinner: current.state === 'finished' ? '✔' : '…', step, message: current.state === 'finished' ? `finished: ${current.outcome}` : current.state });
    bar.stop();
  }
  return { remediation: current, timedOut: timedOut && current.state !== 'finished' };
}

/** After `approval_required`: whether the remediation now waits for approval (its row may trail the event by a moment). */
async function parked(get: () => Promise<any>): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const now = await get();
    if (now.state === 'awaiting_approval') return true;
    if (now.state === 'finished') return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
