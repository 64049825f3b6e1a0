/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to a burst of one second's
 * worth. Used for the simulated account-wide SSM API rate limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    readonly ratePerSecond: number,
    now: number = Date.now(),
  ) {
    this.capacity = Math.max(1, ratePerSecond);
    this.tokens = this.capacity;
    this.last = now;
  }

  tryTake(now: number = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
