import type { CommandStatus } from '@rdpfix/domain';

/**
 * Per-instance status of a Cloud Assistant invocation (InvocationInstance.status, GO models:
 * pending, running, stopping, aborted, invalid, timeout, terminated, cancel, error, failed, finish)
 * onto the internal set. JD documents no meanings; they follow Alibaba's identically named set
 * (jdcloud-assistant.md §3.2, not verified). `finished` (API 1.0.0 spelling) = `finish`.
 * Unknown values are non-terminal: keep polling until our own deadline.
 */
export function mapJdInstanceStatus(status: string | null | undefined, exitCode: number | null): CommandStatus {
  switch ((status ?? '').trim().toLowerCase()) {
    case 'waiting':
    case 'pending':
      return 'pending';
    case 'running':
    case 'stopping':
      return 'running';
    case 'finish':
    case 'finished':
    case 'success':
      // Success is exit 0; a finish with another exit code is a failed script.
      return exitCode === null || exitCode === 0 ? 'succeeded' : 'failed';
    case 'failed':
    case 'error':
      return 'failed';
    case 'timeout':
      return 'timed_out';
    // Never ran on the instance: delivery failed, or the agent is not there (offline agents surface as invalid).
    case 'aborted':
    case 'invalid':
      return 'undelivered';
    case 'terminated':
    case 'cancel':
    case 'cancelled':
    case 'stopped':
      return 'cancelled';
    default:
      return 'pending';
  }
}

/**
 * Invocation-level status, used only when an instance has no row of its own yet (e.g. the whole
 * invocation failed before reaching any instance). Terminal: finish|finished|failed|partial_failed|stopped.
 */
export function mapJdInvocationStatusWithoutInstance(status: string | null | undefined): CommandStatus {
  switch ((status ?? '').trim().toLowerCase()) {
    case 'failed':
    case 'partial_failed':
      return 'undelivered';
    case 'stopped':
      return 'cancelled';
    default:
      // finish without a row for this instance, or anything unknown: not decided, keep looking.
      return 'pending';
  }
}

/** exitCode and timeout are strings in the API; anything that is not an integer is unknown. */
export function parseIntString(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return /^-?\d{1,10}$/.test(t) ? Number(t) : null;
}

/** The output cap: < 6000 B; longer output is the first 5000 B + the last 1000 B (GO InvocationInstance). */
export const JD_OUTPUT_CAP_BYTES = 6000;

/**
 * Decodes `output`: its encoding is not documented, so base64 is tried (strictly: only when the
 * text is valid base64 that decodes to valid UTF-8) and raw text is the fallback. Our scripts'
 * raw output always contains characters base64 cannot (`{`, spaces, CR/LF), so it never
 * decodes by accident. `truncated` when the text is at the documented cap.
 */
export function decodeJdOutput(output: unknown): { text: string; truncated: boolean } {
  if (typeof output !== 'string' || output === '') return { text: '', truncated: false };
  const compact = output.replace(/\s+/g, '');
  let text = output;
  if (compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const bytes = Buffer.from(compact, 'base64');
    if (bytes.toString('base64') === compact) {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = output;
      }
    }
  }
  const atCap = (n: number) => n >= JD_OUTPUT_CAP_BYTES - 8;
  return { text, truncated: atCap(Buffer.byteLength(output)) || atCap(Buffer.byteLength(text)) };
}

/** Cloud Assistant time strings (format not verified): ISO-8601 or `yyyy-MM-dd HH:mm:ss` (taken as UTC+8, JD's zone). */
export function parseJdTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const t = value.trim();
  const plain = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(t);
  const d = plain ? new Date(`${plain[1]}-${plain[2]}-${plain[3]}T${plain[4]}:${plain[5]}:${plain[6]}+08:00`) : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}
