import { TickState } from './tick-state';

const wave = (n: number, size: number) => ({ wave: n, size, started: 0, finished: 0, ok: 0, clearedOk: 0, fixedOk: 0, changesOk: 0, errors: 0, unreachable: 0, startedAt: null, doneAt: null, runMsSum: 0, runsTimed: 0, runS2Sum: 0, lastStartAt: null });

describe('TickState', () => {
  it('keeps counts, outcomes, budgets and wave counters consistent', () => {
    const st = new TickState({ counts: { pending: 10, excluded: 2, done: 0 }, outcomes: { skipped: 2 }, failures: 0, unreachable: 0 }, [wave(1, 4), wave(2, 6)]);
    st.claimed(1, 3, 1, new Date());
    expect(st.counts).toMatchObject({ pending: 6, running: 3, done: 1 });
    expect(st.outcomes.skipped).toBe(3);
    st.finish('running', 1, { outcome: 'failed', reason: 'command_failed', budget: 'error' });
    st.finish('running', 1, { outcome: 'unreachable', reason: 'agent_offline', budget: 'unreachable' });
    st.move('running', 'parked');
    expect(st.failures).toBe(1);
    expect(st.unreachable).toBe(1);
    expect(st.counts).toMatchObject({ running: 0, parked: 1, done: 3 });
    const w1 = st.waves.get(1)!;
    expect(w1).toMatchObject({ started: 4, finished: 3, errors: 1, ok: 2, unreachable: 1 });
    expect([...st.touchedWaves]).toEqual([1]);
    const total = Object.values(st.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(12);
  });

  it('sums the run time of ended remediations per wave, and records the last start', () => {
    const st = new TickState({ counts: { pending: 4 }, outcomes: {}, failures: 0, unreachable: 0 }, [wave(1, 4)]);
    expect(st.meanRunMs(1)).toBeNull();
    expect(st.weightedRunMs(1)).toBeNull();
    const t0 = new Date('2026-12-04T10:00:00Z');
    st.claimed(1, 3, 0, t0);
    expect(st.waves.get(1)!.lastStartAt).toBe(t0);
    st.finish('running', 1, { outcome: 'fixed', reason: 'fixed', budget: 'none' }, 60_000);
    st.finish('running', 1, { outcome: 'failed', reason: 'command_failed', budget: 'error' }, 30_000);
    // Unknown run time (waited for an approval): counted as finished, not timed.
    st.finish('running', 1, { outcome: 'fixed', reason: 'fixed', budget: 'none' }, null);
    expect(st.waves.get(1)).toMatchObject({ finished: 3, runMsSum: 90_000, runsTimed: 2 });
    expect(st.meanRunMs(1)).toBe(45_000);
    // Σd² ÷ Σd = (3600 + 900) s² ÷ 90 s = 50 s.
    expect(st.weightedRunMs(1)).toBeCloseTo(50_000, 6);
    // Only skipped targets (no remediation started): the last start stays.
    st.claimed(1, 0, 1, new Date('2026-12-04T10:05:00Z'));
    expect(st.waves.get(1)!.lastStartAt).toBe(t0);
  });
});
