import type { AppConfig } from '@rdpfix/config';

/**
 * How far the provider's clock may be from PostgreSQL's. The lookup window is widened by this
 * much on both sides; the marker (our unique run id) keeps a wide window exact.
 */
export const PROVIDER_CLOCK_SKEW_MS = 60_000;

/** Read-only commands are resent after this many lookup delays without a hit (and it is recorded). */
const READ_ONLY_LOOKUP_DELAYS = 5;

type LookupConfig = Pick<AppConfig, 'DELIVERY_TIMEOUT_S' | 'SEND_LOOKUP_MAX_S' | 'SEND_LOOKUP_DELAY_MS'>;

/**
 * How long after a send (seconds, PostgreSQL's clock) lookups of an unknown outcome go on.
 * Changing commands: up to the delivery timeout (SEND_LOOKUP_MAX_S may shorten it) — past that
 * the run ends send_outcome_unknown, never resent. Read-only commands: a few lookup delays, then
 * they may be resent.
 */
export function lookupBoundS(changing: boolean, c: LookupConfig): number {
  const changingBound = Math.min(c.DELIVERY_TIMEOUT_S, c.SEND_LOOKUP_MAX_S ?? c.DELIVERY_TIMEOUT_S);
  if (changing) return changingBound;
  return Math.min(changingBound, Math.max(1, Math.ceil((READ_ONLY_LOOKUP_DELAYS * c.SEND_LOOKUP_DELAY_MS) / 1000)));
}

/**
 * The InvokedAfter/InvokedBefore window of a lookup, from stored times only (PostgreSQL's clock):
 * the command was requested at the provider after the run was claimed (`sendingAt`) and before
 * the sender learned the outcome was unknown (`sendUnknownAt`), or — when the sender died
 * without knowing — before now. Both ends are widened by the provider clock skew.
 */
export function lookupWindow(run: { sendingAt: Date | null; requestedAt: Date; sendUnknownAt: Date | null }, dbNow: Date): { after: Date; before: Date } {
  const start = (run.sendingAt ?? run.requestedAt).getTime();
  const end = Math.min(dbNow.getTime(), (run.sendUnknownAt ?? dbNow).getTime());
  return { after: new Date(start - PROVIDER_CLOCK_SKEW_MS), before: new Date(Math.max(end, start) + PROVIDER_CLOCK_SKEW_MS) };
}

/** Time between lookups: a fraction of the lookup delay, at least the poll interval. */
export function nextLookupInMs(c: Pick<AppConfig, 'SEND_LOOKUP_DELAY_MS' | 'POLL_INTERVAL_MS'>, untilBoundMs: number): number {
  const step = Math.max(c.POLL_INTERVAL_MS, Math.round(c.SEND_LOOKUP_DELAY_MS / 2));
  return Math.max(c.POLL_INTERVAL_MS, Math.min(step, untilBoundMs));
}
