import { BOOT_TIME_TOLERANCE_MS } from '@rdpfix/domain';
import { renderScript } from '@rdpfix/runbook';
import { BATCH_BOOTED_BEFORE_PLACEHOLDER, BATCH_RUN_ID_PLACEHOLDER, batchKeyOf } from './batch-key';
import { batchParams, MissingBootTimeError } from './batch-params';

const BATCH = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const run = (id: string, boot: string | null, parameters: Record<string, string | number>) => ({ id, parameters, boot_time_before: boot ? new Date(boot) : null });

describe('batchParams', () => {
  const restart = { delaySeconds: 30, bootedBefore: BATCH_BOOTED_BEFORE_PLACEHOLDER };

  it('gives restarts of instances with different boot times one key and one script', () => {
    // What the reboot step requests for any instance: nothing of its own.
    const keyA = batchKeyOf('restart-computer', 4, restart);
    expect(batchKeyOf('restart-computer', 4, { ...restart })).toBe(keyA);
    const runs = [run('a', '2026-10-03T07:12:09Z', restart), run('b', '2026-11-30T22:01:45Z', restart), run('c', '2026-09-01T00:00:00Z', restart)];
    const params = batchParams(BATCH, 'restart-computer', runs);
    expect(params).toEqual({ delaySeconds: 30, runId: BATCH, bootedBefore: '2026-11-30T22:03:45Z' });
    expect(Date.parse(params.bootedBefore as string) - Date.parse('2026-11-30T22:01:45Z')).toBe(BOOT_TIME_TOLERANCE_MS);
    // The same claimed runs in another order render the same script.
    expect(renderScript('restart-computer', batchParams(BATCH, 'restart-computer', [...runs].reverse())).sha256).toBe(renderScript('restart-computer', params).sha256);
  });

  it('never sends the placeholder: a run without a boot time is named, nothing is rendered', () => {
    const runs = [run('a', '2026-10-03T07:12:09Z', restart), run('b', null, restart)];
    expect(() => batchParams(BATCH, 'restart-computer', runs)).toThrow(MissingBootTimeError);
    try {
      batchParams(BATCH, 'restart-computer', runs);
    } catch (e) {
      expect((e as MissingBootTimeError).runIds).toEqual(['b']);
    }
  });

  it('leaves the per-instance form (stored before v4, or single) and other scripts as they were', () => {
    const own = { delaySeconds: 30, expectedBootTime: '2026-10-03T07:12:09Z' };
    expect(batchParams(BATCH, 'restart-computer', [run('a', null, own)])).toEqual({ ...own, runId: BATCH });
    expect(batchParams(BATCH, 'diagnose', [run('a', null, {})])).toEqual({});
    expect(batchParams(BATCH, 'set-single-session', [run('a', null, { value: 0 })])).toEqual({ value: 0, runId: BATCH });
    expect(BATCH_RUN_ID_PLACEHOLDER).not.toBe(BATCH);
  });
});
