import { createHash } from 'crypto';

/** A run id that stands in for the batch's own id when a changing script is rendered for its key. */
export const BATCH_RUN_ID_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';

/**
 * restart-computer's `bootedBefore` on the batched path, filled in by the sender from the batch's
 * boot times before the change (bootedBeforeFor). Were it ever sent as is, every server would
 * look already restarted: nothing restarts, and verify reports the restart as not observed.
 */
export const BATCH_BOOTED_BEFORE_PLACEHOLDER = '1970-01-01T00:00:00Z';

/**
 * The group a requested run can be batched with: same script, same version, same parameters.
 * Per-instance data never enters a batched script (the run id of a changing script is the
 * batch's id, the same for every instance), so a campaign's identical requests share one key.
 */
export function batchKeyOf(scriptName: string, version: number, params: Record<string, string | number>): string {
  const canonical = JSON.stringify(Object.keys(params).sort().map((k) => [k, String(params[k])]));
  const h = createHash('sha256').update(canonical).digest('hex').slice(0, 24);
  return `${scriptName}:v${version}:${h}`;
}

/** Splits a group in two after a whole-batch rejection that named no culprit (bisection). */
export function splitKey(key: string, half: 0 | 1): string {
  return `${key}/${half}`.slice(-200);
}
