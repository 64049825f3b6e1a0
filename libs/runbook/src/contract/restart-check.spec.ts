import { BOOT_TIME_TOLERANCE_MS } from '@rdpfix/domain';
import { alreadyRestarted, bootedBeforeFor, restartCheckOf, RestartCheck } from './restart-check';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const T0 = Date.parse('2026-12-01T10:00:00Z');
const MIN = 60_000;
const DAY = 24 * 3600_000;

/** What the script decides for a server whose clock reports `current`, given the batch's boot times. */
function batchDecision(bootsBefore: number[], current: number): boolean {
  const check = restartCheckOf({ bootedBefore: bootedBeforeFor(bootsBefore.map(iso)) });
  if ('error' in check) throw new Error(check.error);
  return alreadyRestarted(check, iso(current));
}

describe('restart-computer re-delivery check', () => {
  it('takes exactly one of expectedBootTime and bootedBefore, in whole seconds', () => {
    expect(restartCheckOf({ expectedBootTime: '2026-12-01T10:00:00Z' })).toEqual({ kind: 'expectedBootTime', at: '2026-12-01T10:00:00Z' });
    expect(restartCheckOf({ bootedBefore: '2026-12-01T10:00:00Z' })).toEqual({ kind: 'bootedBefore', at: '2026-12-01T10:00:00Z' });
    expect(restartCheckOf({})).toEqual({ error: expect.stringMatching(/exactly one/) });
    expect(restartCheckOf({ bootedBefore: '2026-12-01T10:00:00Z', expectedBootTime: '2026-12-01T10:00:00Z' })).toEqual({ error: expect.stringMatching(/exactly one/) });
    expect(restartCheckOf({ bootedBefore: '2026-12-01T10:00:00.000Z' })).toEqual({ error: 'bad parameters: bootedBefore is not a valid time' });
    expect(restartCheckOf({ bootedBefore: '2026-13-01T10:00:00Z' })).toEqual({ error: 'bad parameters: bootedBefore is not a valid time' });
  });

  it('bootedBefore = the batch latest boot time before the change + the tolerance, rounded up to a second', () => {
    expect(bootedBeforeFor([iso(T0 - 30 * DAY), iso(T0), iso(T0 - DAY)])).toBe(iso(T0 + BOOT_TIME_TOLERANCE_MS));
    expect(bootedBeforeFor([new Date(T0 + 400)])).toBe(iso(T0 + BOOT_TIME_TOLERANCE_MS + 1000));
    expect(() => bootedBeforeFor([])).toThrow();
    expect(() => bootedBeforeFor(['yesterday'])).toThrow();
  });

  it('expectedBootTime keeps the v2/v3 two-sided ±tolerance behaviour (single fixes, stored runs)', () => {
    const check: RestartCheck = { kind: 'expectedBootTime', at: iso(T0) };
    expect(alreadyRestarted(check, iso(T0))).toBe(false);
    expect(alreadyRestarted(check, iso(T0 + 2 * MIN))).toBe(false);
    expect(alreadyRestarted(check, iso(T0 + 2 * MIN + 1000))).toBe(true);
    expect(alreadyRestarted(check, iso(T0 - 2 * MIN - 1000))).toBe(true);
  });

  it('restarts every unrestarted server of a batch, whatever the others booted', () => {
    const boots = [T0 - 59 * DAY, T0 - 3 * DAY, T0 - 5 * MIN, T0 - DAY];
    for (const b of boots) expect(batchDecision(boots, b)).toBe(false);
  });

  it('never takes an unrestarted server for restarted after a clock step of up to the tolerance', () => {
    // LastBootUpTime is the clock minus the uptime: an NTP step moves it without a restart.
    const boots = [T0 - 10 * DAY, T0];
    for (const b of boots) {
      expect(batchDecision(boots, b + BOOT_TIME_TOLERANCE_MS)).toBe(false);
      // Steps backwards never look like a restart (v3 took a step of more than 120 s for one).
      expect(batchDecision(boots, b - 30 * MIN)).toBe(false);
    }
  });

  it('does not depend on the servers agreeing on the time: each server is compared with a threshold at or after its own boot', () => {
    // Server A's clock runs 10 min behind B's: its boot times look 10 min earlier. Both unrestarted.
    const a = T0 - 2 * DAY - 10 * MIN;
    const b = T0 - 2 * DAY;
    expect(batchDecision([a, b], a)).toBe(false);
    expect(batchDecision([a, b], b)).toBe(false);
    // A runs 10 min AHEAD of B instead: still neither is taken for restarted.
    expect(batchDecision([a + 20 * MIN, b], a + 20 * MIN)).toBe(false);
    expect(batchDecision([a + 20 * MIN, b], b)).toBe(false);
  });

  it('a re-delivered batch command does not restart a server a second time', () => {
    // Diagnosed and changed at T0; the batch was sent at T0 + 5 min; each server restarted 30 s later.
    const boots = [T0 - 40 * DAY, T0 - 2 * DAY, T0 - 1 * DAY];
    const sentAt = T0 + 5 * MIN;
    expect(batchDecision(boots, sentAt + 30_000 + 60_000)).toBe(true);
    // ... including a server whose clock is 2 min behind the one that booted last.
    expect(batchDecision(boots, sentAt + 90_000 - 2 * MIN)).toBe(true);
  });

  it('reports a server that restarted between its diagnosis and the batch as restarted, not as unrestarted', () => {
    const boots = [T0 - 40 * DAY, T0 - 2 * DAY];
    // Restarted by someone at T0 + 3 min, after every boot of the batch + the tolerance.
    expect(batchDecision(boots, T0 + 3 * MIN)).toBe(true);
  });

  it('restarts again (never skips) a server restarted earlier than the batch threshold', () => {
    // Server A (booted 40 days ago) was restarted by someone a day ago; server B of the same batch
    // booted 2 hours ago. Boot times cannot tell whether A's restart came after A's change: the
    // script errs towards the restart the operator approved, never towards a missing one.
    const boots = [T0 - 40 * DAY, T0 - 2 * 60 * MIN];
    expect(batchDecision(boots, T0 - DAY)).toBe(false);
  });
});
