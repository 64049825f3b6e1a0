import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst of one second, then refills at the rate', () => {
    const b = new TokenBucket(5, 0);
    for (let i = 0; i < 5; i++) expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(0)).toBe(false);
    expect(b.tryTake(199)).toBe(false);
    expect(b.tryTake(200)).toBe(true);
    expect(b.tryTake(1200)).toBe(true);
  });

  it('a rate below one still lets one call through per period', () => {
    const b = new TokenBucket(0.5, 0);
    expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(1000)).toBe(false);
    expect(b.tryTake(2000)).toBe(true);
  });
});
