import fc from 'fast-check';
import { CompletionEstimates } from './completion-estimates';

describe('CompletionEstimates (when to read a batch first)', () => {
  it('has no estimate before 20 commands of that script in that region ended: the fallback', () => {
    const e = new CompletionEstimates();
    for (let i = 0; i < 19; i++) e.record('eu-west-1', 'diagnose', 300);
    expect(e.firstReadMs('eu-west-1', 'diagnose', 2000, 8000)).toBe(2000);
    e.record('eu-west-1', 'diagnose', 300);
    expect(e.firstReadMs('eu-west-1', 'diagnose', 2000, 8000)).toBe(Math.round(300 * 1.1 + 25));
  });

  it('reads after the 90th percentile of recent durations, plus a margin', () => {
    const e = new CompletionEstimates();
    // 90 commands took 1 s, 10 took 9 s: the 90th percentile is 1 s.
    for (let i = 0; i < 90; i++) e.record('r', 's', 1000);
    for (let i = 0; i < 10; i++) e.record('r', 's', 9000);
    expect(e.firstReadMs('r', 's', 2000, 60_000)).toBe(1125);
    // Two more slow ones: now more than 10 % are slow, and the read waits for them.
    e.record('r', 's', 9000);
    e.record('r', 's', 9000);
    expect(e.firstReadMs('r', 's', 2000, 60_000)).toBe(9925);
  });

  it('keeps scripts and regions apart', () => {
    const e = new CompletionEstimates();
    for (let i = 0; i < 30; i++) e.record('a', 'diagnose', 200);
    expect(e.firstReadMs('b', 'diagnose', 777, 8000)).toBe(777);
    expect(e.firstReadMs('a', 'verify', 777, 8000)).toBe(777);
  });

  it('forgets old durations: the newest 200 decide', () => {
    const e = new CompletionEstimates();
    for (let i = 0; i < 200; i++) e.record('r', 's', 5000);
    for (let i = 0; i < 200; i++) e.record('r', 's', 400);
    expect(e.firstReadMs('r', 's', 2000, 60_000)).toBe(Math.round(400 * 1.1 + 25));
  });

  it('ignores durations that clocks set apart made negative, or that are not numbers', () => {
    const e = new CompletionEstimates();
    for (let i = 0; i < 30; i++) e.record('r', 's', -50);
    e.record('r', 's', NaN);
    expect(e.firstReadMs('r', 's', 1500, 8000)).toBe(1500);
  });

  it('always answers within [50 ms, max]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e7, noNaN: true }), { maxLength: 300 }), fc.integer({ min: 50, max: 600_000 }), (samples, max) => {
        const e = new CompletionEstimates();
        for (const ms of samples) e.record('r', 's', ms);
        const at = e.firstReadMs('r', 's', 2000, max);
        const enough = samples.filter((ms) => ms >= 0).length >= 20;
        if (!enough) expect(at).toBe(2000);
        else {
          expect(at).toBeGreaterThanOrEqual(50);
          expect(at).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});
