import { SimSession } from '../model/instance';

/** Diagnose prints at most this many quser rows (the result line must stay < 2,500 chars). */
export const MAX_SESSION_ROWS = 8;

/** quser IDLE TIME: "." for none, minutes, "h:mm", or "d+h:mm". */
export function formatIdle(minutes: number): string {
  if (minutes <= 0) return '.';
  if (minutes < 60) return String(minutes);
  const days = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = String(minutes % 60).padStart(2, '0');
  return days > 0 ? `${days}+${h}:${m}` : `${h}:${m}`;
}

/** quser LOGON TIME in the en-US format "11/25/2026 8:00 AM" (UTC). */
export function formatLogonTime(iso: string): string {
  const d = new Date(iso);
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${mm} ${h24 < 12 ? 'AM' : 'PM'}`;
}

/**
 * One quser row, whitespace collapsed, header dropped. Disconnected sessions have no
 * SESSIONNAME, so they have one field fewer (rdp-licensing.md §5).
 */
export function renderQuserRow(s: SimSession): string {
  const fields = [s.username];
  if (s.state !== 'Disc' && s.sessionName) fields.push(s.sessionName);
  fields.push(String(s.id), s.state, formatIdle(s.idleMinutes), formatLogonTime(s.logonTime));
  return fields.join(' ');
}

export function renderSessions(sessions: SimSession[], max = MAX_SESSION_ROWS): { rows: string[]; truncated: boolean } {
  const sorted = [...sessions].sort((a, b) => a.id - b.id);
  return { rows: sorted.slice(0, max).map(renderQuserRow), truncated: sorted.length > max };
}
