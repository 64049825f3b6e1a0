import fc from 'fast-check';
import { parseAmount } from './amount';
import { CampaignInputError } from './field-error';
import { budgetExceeded, changeWindow, COHORT_FULL, cohortHoldMs, describeStop, ordinal, rampWindow, resolveBudget, resolveConcurrency, slotsToStart, startsUnderQueue, stopPoint } from './rate-control';
import { ratePlan } from './rate-plan';

const pct = (value: number) => ({ kind: 'percent' as const, value });
const count = (value: number) => ({ kind: 'count' as const, value });

describe('parseAmount', () => {
  it('takes counts and percentages as numbers or strings', () => {
    expect(parseAmount(10, 'f', { allowZero: false })).toEqual(count(10));
    expect(parseAmount('10', 'f', { allowZero: false })).toEqual(count(10));
    expect(parseAmount('5%', 'f', { allowZero: false })).toEqual(pct(5));
    expect(parseAmount(' 100% ', 'f', { allowZero: false })).toEqual(pct(100));
    expect(parseAmount(0, 'maxErrors', { allowZero: true })).toEqual(count(0));
    expect(parseAmount('0%', 'maxErrors', { allowZero: true })).toEqual(pct(0));
  });

  it.each([[101, '101%'], [150, '150%'], [1000, '1000%']])('refuses a percentage over 100 (%s) naming the field', (_n, raw) => {
    try {
      parseAmount(raw, 'maxConcurrency', { allowZero: false });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(CampaignInputError);
      expect((err as CampaignInputError).problems[0].field).toBe('maxConcurrency');
      expect((err as CampaignInputError).message).toMatch(/over 100%/);
    }
  });

  it.each([[0], ['0'], ['0%'], [-1], [1.5], ['ten'], [null], [true], [{}], ['5 %'], ['%5']])('refuses %j as a concurrency', (raw) => {
    expect(() => parseAmount(raw, 'maxConcurrency', { allowZero: false })).toThrow(CampaignInputError);
  });
});

describe('resolveConcurrency: ceil, minimum 1', () => {
  it('rounds percentages up and never below 1', () => {
    expect(resolveConcurrency(pct(10), 25)).toBe(3);
    expect(resolveConcurrency(pct(1), 10)).toBe(1);
    expect(resolveConcurrency(pct(1), 0)).toBe(1);
    expect(resolveConcurrency(pct(100), 7)).toBe(7);
    expect(resolveConcurrency(count(50), 3)).toBe(50);
  });

  it('property: 1 ≤ value, never more than the targets (when there are any), monotone in the percentage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 200_000 }), (a, b, total) => {
        const va = resolveConcurrency(pct(a), total);
        const vb = resolveConcurrency(pct(b), total);
        expect(va).toBeGreaterThanOrEqual(1);
        if (total > 0) expect(va).toBeLessThanOrEqual(total);
        expect(va).toBeGreaterThanOrEqual((total * a) / 100);
        if (a <= b) expect(va).toBeLessThanOrEqual(vb);
      }),
    );
  });
});

describe('error budget: stop when failures EXCEED it', () => {
  it('stops at budget + 1 ("maxErrors 5: stops at the 6th failure")', () => {
    expect(stopPoint(5)).toBe(6);
    expect(describeStop(5, 'failure')).toBe('stops at the 6th failure');
    expect(describeStop(0, 'failure')).toBe('stops at the 1st failure');
    expect(budgetExceeded(5, 5)).toBe(false);
    expect(budgetExceeded(6, 5)).toBe(true);
  });

  it('rounds percentage budgets down (a safety budget errs on the side of stopping)', () => {
    expect(resolveBudget(pct(5), 30)).toBe(1);
    expect(resolveBudget(pct(10), 9)).toBe(0);
    expect(resolveBudget(pct(100), 9)).toBe(9);
    expect(resolveBudget(count(3), 9)).toBe(3);
  });

  it('property: the stop point is the first count that exceeds the budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100_000 }), (p, total) => {
        const budget = resolveBudget(pct(p), total);
        expect(budget).toBeLessThanOrEqual((total * p) / 100);
        const stop = stopPoint(budget);
        expect(budgetExceeded(stop, budget)).toBe(true);
        expect(budgetExceeded(stop - 1, budget)).toBe(false);
      }),
    );
  });

  it('writes ordinals in English', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th', '112th']);
  });
});

describe('change window of a fix campaign that looks ahead', () => {
  it('stays at one until a target is fixed, however many changes or endings came before', () => {
    expect(changeWindow({ fixedOk: 0, clearedOk: 0, changesOk: 0 }, 100)).toBe(1);
    // The first target changed twice and is still verifying; others ended (refused, healthy) after their gate opened.
    expect(changeWindow({ fixedOk: 0, clearedOk: 5, changesOk: 2 }, 100)).toBe(1);
  });

  it('then opens one slot per change that succeeded and per target that ended well, up to the cap', () => {
    // The first fix verified: its two changes (role removal, restart) and its ending open three.
    expect(changeWindow({ fixedOk: 1, clearedOk: 1, changesOk: 2 }, 100)).toBe(4);
    expect(changeWindow({ fixedOk: 3, clearedOk: 4, changesOk: 20 }, 100)).toBe(25);
    expect(changeWindow({ fixedOk: 50, clearedOk: 60, changesOk: 120 }, 100)).toBe(100);
    expect(changeWindow({ fixedOk: 1, clearedOk: 1, changesOk: 2 }, 1)).toBe(1);
  });

  it('property: never below one, never above the cap, and never shrinks as counts grow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(3), (cap, fixed, cleared, changes, more) => {
        const w = changeWindow({ fixedOk: fixed, clearedOk: cleared, changesOk: changes }, cap);
        expect(w).toBeGreaterThanOrEqual(1);
        expect(w).toBeLessThanOrEqual(cap);
        expect(changeWindow({ fixedOk: fixed + more, clearedOk: cleared + more, changesOk: changes + more }, cap)).toBeGreaterThanOrEqual(w);
        if (fixed === 0) expect(w).toBe(1);
      }),
    );
  });
});

describe('ramp (SSM-style slow start over a sliding window)', () => {
  it('starts with one, then 2, then doubles each round trip up to the cap', () => {
    const cap = 20;
    let ok = 0;
    const inFlightPerRound: number[] = [];
    let inFlight = 0;
    for (let round = 0; round < 8; round++) {
      inFlight += slotsToStart({ cap, inFlight, okInWave: ok, waveRemaining: 1000 });
      inFlightPerRound.push(inFlight);
      // the whole round completes successfully
      ok += inFlight;
      inFlight = 0;
    }
    expect(inFlightPerRound).toEqual([1, 2, 4, 8, 16, 20, 20, 20]);
  });

  it('each good completion opens one more slot (sliding, not lock-step)', () => {
    expect(rampWindow(0, 50)).toBe(1);
    expect(rampWindow(1, 50)).toBe(2);
    expect(rampWindow(7, 50)).toBe(8);
    expect(rampWindow(100, 50)).toBe(50);
    // one of two in flight completes: two new may start (1 freed + 1 opened)
    expect(slotsToStart({ cap: 50, inFlight: 1, okInWave: 2, waveRemaining: 100 })).toBe(2);
  });

  it('property: starts never push the number in flight over the cap, nor over the wave', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 1000 }),
        (cap, inFlight, ok, remaining) => {
          const n = slotsToStart({ cap, inFlight, okInWave: ok, waveRemaining: remaining });
          expect(n).toBeGreaterThanOrEqual(0);
          expect(n).toBeLessThanOrEqual(remaining);
          if (inFlight <= cap) expect(inFlight + n).toBeLessThanOrEqual(cap);
          expect(inFlight + n).toBeLessThanOrEqual(Math.max(inFlight, rampWindow(ok, cap)));
        },
      ),
    );
  });

  it('property: a random run of starts and completions never exceeds the cap and finishes every target', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 300 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 2000 }), (cap, total, coin) => {
        let inFlight = 0;
        let ok = 0;
        let started = 0;
        let maxSeen = 0;
        let i = 0;
        while (ok < total) {
          const n = slotsToStart({ cap, inFlight, okInWave: ok, waveRemaining: total - started });
          inFlight += n;
          started += n;
          maxSeen = Math.max(maxSeen, inFlight);
          // complete one or two of those in flight
          const done = Math.min(inFlight, coin[i++ % coin.length] ? 2 : 1);
          inFlight -= done;
          ok += done;
        }
        expect(maxSeen).toBeLessThanOrEqual(cap);
        expect(started).toBe(total);
      }),
    );
  });
});

describe('starts held by a queue at its limit', () => {
  it('starts nothing at or past the limit, only the room left under it, and everything with the hold off', () => {
    expect(startsUnderQueue(40, 0, 1500)).toBe(40);
    expect(startsUnderQueue(40, 1480, 1500)).toBe(20);
    expect(startsUnderQueue(40, 1500, 1500)).toBe(0);
    expect(startsUnderQueue(40, 9000, 1500)).toBe(0);
    expect(startsUnderQueue(40, 9000, 0)).toBe(40);
    expect(startsUnderQueue(0, 0, 1500)).toBe(0);
  });

  it('property: never more than free, never negative, and queued + starts never passes a positive limit from below', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 10_000 }), (free, queued, limit) => {
        const n = startsUnderQueue(free, queued, limit);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(free);
        if (limit > 0 && queued <= limit) expect(queued + n).toBeLessThanOrEqual(limit);
        if (limit === 0) expect(n).toBe(free);
      }),
    );
  });
});

describe('ratePlan', () => {
  it('shows the absolute numbers at creation', () => {
    const p = ratePlan({ maxConcurrency: pct(10), maxErrors: count(5), maxUnreachable: pct(100), waves: [count(1), count(10), pct(5), pct(100)], waveBakeS: 60 }, 1000);
    expect(p.maxConcurrency).toEqual({ spec: '10%', value: 100 });
    expect(p.maxErrors).toEqual({ spec: '5', value: 5, stopsAt: 6, text: 'stops at the 6th failure' });
    expect(p.maxUnreachable.value).toBe(1000);
    expect(p.waves.map((w) => w.size)).toEqual([1, 9, 40, 950]);
    expect(p.waveBakeSeconds).toBe(60);
  });
});

describe('cohortHoldMs: freed slots wait to start together only while it pays', () => {
  // 60 s restart fixes, 5 % share, 3 s at most: the hold is 3 s from the wave's last start.
  const base = { meanRunMs: 60_000, weightedRunMs: 60_000, sharePct: 5, maxMs: 3000, minRunMs: 0 };

  it('holds two freed slots while 400 in flight are expected to free 20 more', () => {
    expect(cohortHoldMs({ ...base, free: 2, inFlight: 400, sinceLastStartMs: 0 })).toBe(3000);
    expect(cohortHoldMs({ ...base, free: 2, inFlight: 400, sinceLastStartMs: 1000 })).toBe(2000);
  });

  it('starts at once once the hold is over, or when the rest of it would not double the cohort', () => {
    expect(cohortHoldMs({ ...base, free: 2, inFlight: 400, sinceLastStartMs: 3000 })).toBe(0);
    // 400 in flight, 1.5 s left: 10 expected; a cohort of 12 would not double.
    expect(cohortHoldMs({ ...base, free: 12, inFlight: 400, sinceLastStartMs: 1500 })).toBe(0);
    expect(cohortHoldMs({ ...base, free: 10, inFlight: 400, sinceLastStartMs: 1500 })).toBe(1500);
  });

  it('the hold follows the time-weighted run time, the expected completions the plain mean', () => {
    // A mix of 60 s fixes and many 0.4 s unreachable agents: mean 20 s, weighted 58 s. The hold is
    // 5 % of 58 s; 30 in flight complete at 1.5/s (Little's law), 4.35 in the hold.
    expect(cohortHoldMs({ ...base, meanRunMs: 20_000, weightedRunMs: 58_000, free: 4, inFlight: 30, sinceLastStartMs: 0 })).toBe(2900);
    expect(cohortHoldMs({ ...base, meanRunMs: 20_000, weightedRunMs: 58_000, free: 5, inFlight: 30, sinceLastStartMs: 0 })).toBe(0);
  });

  it('holds nothing early in a ramp, before a run time is known, at a full batch, or when turned off', () => {
    // 4 in flight: 0.2 completions expected in 3 s.
    expect(cohortHoldMs({ ...base, free: 2, inFlight: 4, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, meanRunMs: null, free: 2, inFlight: 400, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, weightedRunMs: null, free: 2, inFlight: 400, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, free: 2, inFlight: 400, sinceLastStartMs: null })).toBe(0);
    expect(cohortHoldMs({ ...base, free: COHORT_FULL, inFlight: 10_000, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, sharePct: 0, free: 2, inFlight: 400, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, maxMs: 0, free: 2, inFlight: 400, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, free: 0, inFlight: 400, sinceLastStartMs: 0 })).toBe(0);
  });

  it('a short run time makes a short hold (5 % of 8 s = 400 ms), and none under minRunMs', () => {
    expect(cohortHoldMs({ ...base, meanRunMs: 8000, weightedRunMs: 8000, free: 3, inFlight: 300, sinceLastStartMs: 0 })).toBe(400);
    expect(cohortHoldMs({ ...base, minRunMs: 45_000, meanRunMs: 8000, weightedRunMs: 8000, free: 3, inFlight: 300, sinceLastStartMs: 0 })).toBe(0);
    expect(cohortHoldMs({ ...base, minRunMs: 45_000, free: 2, inFlight: 400, sinceLastStartMs: 0 })).toBe(3000);
  });

  it('never holds longer than the share of the weighted run time, nor than maxMs, nor past the last start + hold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        (free, inFlight, meanRunMs, weightedRunMs, sharePct, maxMs, since) => {
          const h = cohortHoldMs({ free, inFlight, meanRunMs, weightedRunMs, sharePct, maxMs, minRunMs: 0, sinceLastStartMs: since });
          const cap = Math.min(maxMs, (weightedRunMs * sharePct) / 100);
          expect(h).toBeGreaterThanOrEqual(0);
          expect(h).toBeLessThanOrEqual(Math.ceil(Math.max(0, cap - since)));
          if (free >= COHORT_FULL || free === 0) expect(h).toBe(0);
        },
      ),
    );
  });
});
