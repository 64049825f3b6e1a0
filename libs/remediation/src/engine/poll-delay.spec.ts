import { pollDelay } from './poll-delay';

describe('pollDelay', () => {
  const mid = () => 0.5; // no jitter
  it('starts at the base and grows 1.5x per poll up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((n) => pollDelay(n, 1000, 5000, mid))).toEqual([1000, 1500, 2250, 3375, 5000]);
  });
  it('jitters within ±20 %', () => {
    expect(pollDelay(0, 1000, 5000, () => 0)).toBe(800);
    expect(pollDelay(0, 1000, 5000, () => 0.999999)).toBe(1200);
  });
});
