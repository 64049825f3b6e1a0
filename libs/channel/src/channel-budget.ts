import Redis from 'ioredis';
import { ChannelThrottledError } from './channel-errors';
import { BUDGET_PRIORITIES, BudgetPriority, currentBudgetPriority } from './budget-priority';

/** How long to wait before asking again when the budget store could not be asked. */
const STORE_DOWN_RETRY_MS = 1000;
/** A refused caller blocks lower priorities until its retry time plus this margin. */
const CLAIM_HOLD_MS = 250;

/**
 * One token bucket per channel and region in Redis, with strict priorities and AIMD backoff.
 * Hand-written (a Lua script) because rate-limiter-flexible, used before, has neither priorities
 * nor an adaptive rate. Redis' own clock (TIME) is used, so worker clocks do not matter.
 *
 * KEYS[1]: the bucket hash {tokens, ts, rate, w0..w3}. ARGV: max rate, priority index, hold ms, op.
 * op 'take': a call of priority p gets a token only when no more urgent caller was refused
 *   recently (its claim w<q> is still live) and a token is there; a refused caller records its
 *   claim (retry time + hold), so lower priorities yield to it when it comes back.
 * op 'throttled': the provider throttled us: halve the effective rate (at most once a second).
 * Each granted call adds 1 % of the maximum back (additive increase).
 * Returns {granted 0|1, waitMs, effective rate × 1000}.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxRate = tonumber(ARGV[1])
local p = tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'rate', 'cut', 'w0', 'w1', 'w2', 'w3')
local rate = tonumber(h[3]) or maxRate
if rate > maxRate then rate = maxRate end
local burst = math.max(1, rate)
local tokens = tonumber(h[1]) or burst
local ts = tonumber(h[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000); ts = now end
if ARGV[4] == 'throttled' then
  local cut = tonumber(h[4]) or 0
  if now - cut >= 1000 then
    rate = math.max(1, rate / 2)
    if tokens > 0 then tokens = 0 end
    redis.call('HSET', KEYS[1], 'rate', rate, 'cut', now, 'tokens', tokens, 'ts', ts)
    redis.call('PEXPIRE', KEYS[1], 600000)
  end
  return {0, 0, math.floor(rate * 1000)}
end
local blocked = false
for q = 0, p - 1 do
  local w = tonumber(h[5 + q])
  if w and w > now then blocked = true end
end
if (not blocked) and tokens >= 1 then
  tokens = tokens - 1
  if rate < maxRate then rate = math.min(maxRate, rate + maxRate * 0.01) end
  redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts, 'rate', rate)
  redis.call('PEXPIRE', KEYS[1], 600000)
  return {1, 0, math.floor(rate * 1000)}
end
local wait
if tokens < 1 then wait = math.ceil((1 - tokens) * 1000 / rate) else wait = math.ceil(1000 / rate) end
wait = wait + p * math.ceil(1000 / rate)
local field = 'w' .. p
local cur = tonumber(h[5 + p]) or 0
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts, field, math.max(cur, now + wait + hold))
redis.call('PEXPIRE', KEYS[1], 600000)
return {0, wait, math.floor(rate * 1000)}
`;

type BudgetRedis = Redis & { rdpfixBudget?: (key: string, maxRate: number, p: number, hold: number, op: string) => Promise<[number, number, number]> };

/**
 * The shared budget of channel API calls per second across every worker process (DESIGN §5,
 * issue 10 §2), kept in Redis. A call over budget is not waited for: the caller gets a throttled
 * error with a retry time and its job reschedules itself (a delayed job: nothing spins).
 *
 * Priorities (budget-priority.ts): single fixes, then result reads, then sends, then instance
 * information. Throttling by the provider halves the effective rate, which then grows back;
 * effectiveRate() shows it.
 *
 * Asking the budget is itself bounded (issue 8, defect 7): while Redis is down or slow the
 * answer is "throttled, come back later" after at most `maxWaitMs` (at once when the client
 * knows it is disconnected), so a Redis outage never holds a worker slot. A timer, not a loop.
 */
export class ChannelBudget {
  private readonly redis: BudgetRedis;
  private readonly prefix: string;

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly callsPerSecond: number,
    private readonly maxWaitMs = 2000,
  ) {
    this.redis = redis as BudgetRedis;
    this.prefix = `${keyPrefix}:channel-budget`;
    if (!this.redis.rdpfixBudget) this.redis.defineCommand('rdpfixBudget', { numberOfKeys: 1, lua: SCRIPT });
  }

  private key(channel: string, region: string): string {
    return `${this.prefix}:${channel}:${region}`;
  }

  async take(channel: string, region: string, priority: BudgetPriority = currentBudgetPriority()): Promise<void> {
    const [granted, waitMs] = await this.ask(channel, region, priority, 'take');
    if (!granted) throw new ChannelThrottledError(`shared channel call budget exhausted (${priority})`, Math.max(20, waitMs));
  }

  /** The provider throttled a call: back off (multiplicative decrease). Best effort. */
  async throttled(channel: string, region: string): Promise<void> {
    await this.ask(channel, region, 'single', 'throttled').catch(() => undefined);
  }

  /** Calls per second the budget currently grants for this channel and region. */
  async effectiveRate(channel: string, region: string): Promise<number> {
    const raw = await this.redis.hget(this.key(channel, region), 'rate');
    return this.rateOf(raw);
  }

  /**
   * effectiveRate of several buckets in one round trip, for operators' views (API, metrics):
   * bounded by `maxWaitMs` like take(), and throws when Redis cannot answer, so a caller can
   * show "unknown" instead of waiting on a Redis outage.
   */
  async effectiveRates(buckets: readonly { channel: string; region: string }[]): Promise<number[]> {
    if (!buckets.length) return [];
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    const pipeline = this.redis.pipeline();
    for (const b of buckets) pipeline.hget(this.key(b.channel, b.region), 'rate');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.maxWaitMs} ms`)), this.maxWaitMs);
    });
    try {
      const answers = (await Promise.race([pipeline.exec(), timeout])) ?? [];
      return buckets.map((_, i) => {
        const [err, raw] = answers[i] ?? [new Error('no answer'), null];
        if (err) throw err;
        return this.rateOf(raw as string | null);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** A bucket nobody used for 10 minutes has expired: it grants the maximum again. */
  private rateOf(raw: string | null): number {
    const rate = raw === null ? this.callsPerSecond : Number(raw);
    return Math.min(this.callsPerSecond, Math.round(rate * 100) / 100);
  }

  get maxRate(): number {
    return this.callsPerSecond;
  }

  private async ask(channel: string, region: string, priority: BudgetPriority, op: 'take' | 'throttled'): Promise<[number, number, number]> {
    if (this.redis.status !== 'ready') throw storeDown(`Redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeDown(`no answer within ${this.maxWaitMs} ms`)), this.maxWaitMs);
    });
    try {
      const p = BUDGET_PRIORITIES.indexOf(priority);
      return await Promise.race([this.redis.rdpfixBudget!(this.key(channel, region), this.callsPerSecond, p < 0 ? 0 : p, CLAIM_HOLD_MS, op), timeout]);
    } catch (err) {
      if (err instanceof ChannelThrottledError) throw err;
      throw storeDown((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

function storeDown(why: string): ChannelThrottledError {
  return new ChannelThrottledError(`the shared channel call budget could not be asked (${why}); the step reschedules`, STORE_DOWN_RETRY_MS);
}
