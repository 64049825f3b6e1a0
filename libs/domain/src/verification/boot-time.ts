/**
 * Boot times come from Win32_OperatingSystem.LastBootUpTime, which Windows derives from the
 * clock and the uptime: an NTP step after boot moves it without any restart. Two boot times are
 * the same boot when they differ by at most this much (issue 7).
 */
export const BOOT_TIME_TOLERANCE_MS = 120_000;

/**
 * true when `after` is a different boot from `before` (later or earlier by more than the
 * tolerance). Unparseable values compare as strings: different text, different boot.
 */
export function bootTimeChanged(before: string | Date, after: string | Date, toleranceMs = BOOT_TIME_TOLERANCE_MS): boolean {
  const tb = before instanceof Date ? before.getTime() : Date.parse(before);
  const ta = after instanceof Date ? after.getTime() : Date.parse(after);
  if (Number.isNaN(tb) || Number.isNaN(ta)) return String(before) !== String(after);
  return Math.abs(ta - tb) > toleranceMs;
}
