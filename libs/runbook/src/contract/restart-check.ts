import { BOOT_TIME_TOLERANCE_MS, bootTimeChanged } from '@rdpfix/domain';

/** ISO-8601 UTC in whole seconds, the only time form restart-computer accepts and prints. */
export const ISO_SECONDS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;

/**
 * What restart-computer compares the server's current boot time with (v4 takes exactly one):
 * - `expectedBootTime`: this server's own boot time before the change, two-sided with the
 *   tolerance (single fixes; every run stored before v4);
 * - `bootedBefore`: one threshold for a whole batch, one-sided (batched campaign restarts).
 */
export type RestartCheck = { kind: 'expectedBootTime'; at: string } | { kind: 'bootedBefore'; at: string };

/** The check a parameter set asks for, or why it is not acceptable (mirrors restart-computer.ps1). */
export function restartCheckOf(params: Record<string, string | number | undefined>): RestartCheck | { error: string } {
  const expected = params.expectedBootTime;
  const before = params.bootedBefore;
  if ((expected === undefined) === (before === undefined)) return { error: 'bad parameters: give exactly one of expectedBootTime and bootedBefore' };
  const kind = before !== undefined ? 'bootedBefore' : 'expectedBootTime';
  const at = String(before ?? expected);
  if (!ISO_SECONDS.test(at) || !Number.isFinite(Date.parse(at))) return { error: `bad parameters: ${kind} is not a valid time` };
  return { kind, at };
}

/**
 * The script's decision: true when the server booted since (the restart already happened, a
 * re-delivered command must not restart again). `currentBootTime` is the server's own report.
 */
export function alreadyRestarted(check: RestartCheck, currentBootTime: string): boolean {
  if (check.kind === 'expectedBootTime') return bootTimeChanged(check.at, currentBootTime, BOOT_TIME_TOLERANCE_MS);
  return Date.parse(currentBootTime) > Date.parse(check.at);
}

/**
 * `bootedBefore` for a batch: the latest of its servers' boot times before the change, plus the
 * tolerance, rounded up to a whole second. Each server's own boot time is in the maximum, so an
 * unrestarted server (even after a clock step of up to the tolerance) is never taken for
 * restarted, whatever the other servers' clocks say; and each restart this command causes gives
 * a boot time after the send, later than every boot before the change.
 */
export function bootedBeforeFor(bootTimesBefore: ReadonlyArray<Date | string>): string {
  if (!bootTimesBefore.length) throw new Error('bootedBeforeFor: no boot times');
  const times = bootTimesBefore.map((t) => (t instanceof Date ? t.getTime() : Date.parse(t)));
  if (times.some((t) => !Number.isFinite(t))) throw new Error('bootedBeforeFor: a boot time is not a valid time');
  const at = Math.ceil((Math.max(...times) + BOOT_TIME_TOLERANCE_MS) / 1000) * 1000;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
