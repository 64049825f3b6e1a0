import prand from 'pure-rand';
import { loadConfig } from '@rdpfix/config';
import { ChannelError, ChannelThrottledError, CommandChannel, currentBudgetPriority, InstanceInfo } from '@rdpfix/channel';
import type { RemediationEntity } from '@rdpfix/persistence';
import { InstanceInfoBatcher } from './instance-info-batcher';

const P = 500; // POLL_INTERVAL_MS
const CALL_MS = 20; // the fake channel's answer time
const LINGER = 150; // PRECHECK_LINGER_MS: how long a campaign precheck waits for others to join its call

/** A channel that answers DescribeInstanceInformation after CALL_MS and records every call. */
class FakeChannel {
  readonly name = 'ssm';
  readonly maxInstancesPerSend = 50;
  readonly calls: { at: number; ids: string[]; priority: string }[] = [];
  fail: Error | null = null;
  /** Instances whose agent is offline (restarting). */
  readonly offline = new Set<string>();

  constructor(private readonly callMs = CALL_MS) {}

  instanceInfo(_region: string, ids: string[]): Promise<Map<string, InstanceInfo>> {
    const at = Date.now();
    this.calls.push({ at, ids, priority: currentBudgetPriority() });
    const fail = this.fail;
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        if (fail) return reject(fail);
        // lastPing = when the channel was asked: the age of the answer when it is used.
        resolve(new Map(ids.map((id) => [id, { instanceId: id, online: !this.offline.has(id), pingStatus: this.offline.has(id) ? 'ConnectionLost' : 'Online', lastPing: new Date(at), platformName: null, platformVersion: null }])));
      }, this.callMs),
    );
  }
}

function rem(instanceId: string, region = 'us-east-1'): RemediationEntity {
  return { id: `rem-${instanceId}`, instanceId, region } as RemediationEntity;
}

/** Deterministic random numbers in [0, 1) (pure-rand), so a schedule replays from its seed. */
function random(seed: number): () => number {
  const g = prand.xoroshiro128plus(seed);
  return () => prand.unsafeUniformIntDistribution(0, 0xffffffff, g) / 2 ** 32;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(callMs = CALL_MS) {
  const channel = new FakeChannel(callMs);
  const batcher = new InstanceInfoBatcher(loadConfig({}, { POLL_INTERVAL_MS: P }), channel as unknown as CommandChannel);
  return { channel, batcher };
}

describe('InstanceInfoBatcher', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('500 watches polling on their own schedules cost about ceil(500/50) calls per poll interval, answers younger than one interval', async () => {
    const { channel, batcher } = setup();
    const rnd = random(7);
    const start = Date.now();
    const until = start + 12 * P;
    const ages: number[] = [];
    const waits: number[] = [];
    const watcher = async (id: string) => {
      await sleep(Math.floor(rnd() * P));
      while (Date.now() < until) {
        const t0 = Date.now();
        const info = await batcher.watch(rem(id), true);
        if (t0 >= start + 3 * P) waits.push(Date.now() - t0);
        ages.push(Date.now() - info!.lastPing!.getTime());
        // The step waits one interval; the job wakes 0–80 ms late (queue, CPU).
        await sleep(P + Math.floor(rnd() * 80));
      }
    };
    const all = Promise.all(Array.from({ length: 500 }, (_, i) => watcher(`i-${i}`)));
    await jest.advanceTimersByTimeAsync(14 * P); // the last poll's wait ends the watcher
    await all;

    // Steady state: intervals 3..12 (the first polls of 500 new watches are misses).
    const steady = channel.calls.filter((c) => c.at >= start + 3 * P && c.at < start + 12 * P);
    const perInterval = steady.length / 9;
    expect(perInterval).toBeLessThanOrEqual(Math.ceil(500 / 50) + 2);
    expect(steady.reduce((n, c) => n + c.ids.length, 0) / steady.length).toBeGreaterThanOrEqual(45);
    expect(Math.max(...ages)).toBeLessThan(P);
    // Steady-state polls are served from answers already there: almost none waits.
    const slow = waits.filter((w) => w > 0).length;
    expect(slow / waits.length).toBeLessThan(0.02);
    expect(channel.calls.every((c) => c.priority === 'info' && c.ids.length <= 50 && new Set(c.ids).size === c.ids.length)).toBe(true);
    const before = channel.calls.length;
    // Once nobody polls, refreshes stop (after two intervals) and the answers are forgotten (10 s).
    await jest.advanceTimersByTimeAsync(21_000);
    expect(channel.calls.length - before).toBeLessThanOrEqual(Math.ceil(500 / 50) * 3);
    expect(batcher.sizes()).toEqual({ answers: 0, wants: 0, timers: 0, subscriptions: 0 });
  });

  it('a precheck is answered within its 150 ms linger plus call time while 500 watches are refreshed', async () => {
    const { channel, batcher } = setup();
    const rnd = random(11);
    const until = Date.now() + 8 * P;
    const watcher = async (id: string) => {
      await sleep(Math.floor(rnd() * P));
      while (Date.now() < until) {
        await batcher.watch(rem(id), true);
        await sleep(P + Math.floor(rnd() * 80));
      }
    };
    const watches = Promise.all(Array.from({ length: 500 }, (_, i) => watcher(`w-${i}`)));
    const latencies: number[] = [];
    const prechecks = Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await sleep(P + Math.floor(rnd() * 6 * P));
        const t0 = Date.now();
        const info = await batcher.lookup(rem(`p-${i}`), true);
        expect(info?.instanceId).toBe(`p-${i}`);
        latencies.push(Date.now() - t0);
      }),
    );
    await jest.advanceTimersByTimeAsync(10 * P);
    await Promise.all([watches, prechecks]);
    // The linger, at most one call already under way, then its own call.
    expect(latencies).toHaveLength(60);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(LINGER + 2 * CALL_MS + 2);
    // Prechecks are not kept as watches.
    expect(channel.calls.filter((c) => c.ids.some((id) => id.startsWith('p-'))).length).toBeLessThanOrEqual(60);
  });

  it('an error reaches every lookup waiting for that call, including ones that joined it in flight', async () => {
    const { channel, batcher } = setup();
    const err = new ChannelError('service unavailable', 'ServiceUnavailable', true);
    channel.fail = err;
    const settled: unknown[] = [];
    const ps = [
      ...Array.from({ length: 20 }, (_, i) => batcher.lookup(rem(`p-${i}`), true)),
      ...Array.from({ length: 20 }, (_, i) => batcher.watch(rem(`w-${i}`), true)),
    ].map((p) => p.then(() => settled.push('ok'), (e) => settled.push(e)));
    await jest.advanceTimersByTimeAsync(Math.min(LINGER, P / 4) + 5); // the call (due at the watches' linger) is under way
    expect(channel.calls).toHaveLength(1);
    const joined = batcher.watch(rem('w-3'), true).then(() => settled.push('ok'), (e) => settled.push(e));
    await jest.advanceTimersByTimeAsync(CALL_MS);
    await Promise.all([...ps, joined]);
    expect(settled).toHaveLength(41);
    expect(settled.every((e) => e === err)).toBe(true);
    // The next poll asks again (after the failed call, no answer is served).
    channel.fail = null;
    const again = batcher.watch(rem('w-3'), true);
    await jest.advanceTimersByTimeAsync(P);
    expect((await again)?.online).toBe(true);
  });

  it('a call refused by the budget is asked again after its retry time (a timer); refused past 2 s, its lookups get the refusal', async () => {
    const { channel, batcher } = setup();
    channel.fail = new ChannelThrottledError('budget', 300);
    const first = Promise.all(Array.from({ length: 30 }, (_, i) => batcher.lookup(rem(`p-${i}`), true)));
    await jest.advanceTimersByTimeAsync(LINGER + CALL_MS + 10);
    expect(channel.calls).toHaveLength(1);
    channel.fail = null; // the budget has a token when the call comes back
    await jest.advanceTimersByTimeAsync(400);
    expect((await first).map((x) => x?.instanceId)).toEqual(Array.from({ length: 30 }, (_, i) => `p-${i}`));
    expect(channel.calls).toHaveLength(2);
    expect(channel.calls[1].ids).toEqual(channel.calls[0].ids);
    expect(channel.calls[1].at - channel.calls[0].at).toBeGreaterThanOrEqual(CALL_MS + 240);

    // Refused on every attempt: the wait is bounded, then every lookup of the call gets the refusal.
    const err = new ChannelThrottledError('budget', 300);
    channel.fail = err;
    const t0 = Date.now();
    const settled: unknown[] = [];
    const second = Array.from({ length: 10 }, (_, i) => batcher.lookup(rem(`q-${i}`), true).then(() => settled.push('ok'), (e) => settled.push(e)));
    await jest.advanceTimersByTimeAsync(3000);
    await Promise.all(second);
    expect(settled).toHaveLength(10);
    expect(settled.every((e) => e === err)).toBe(true);
    const attempts = channel.calls.filter((c) => c.ids.includes('q-0'));
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts[attempts.length - 1].at - t0).toBeLessThanOrEqual(LINGER + 2000);
  });

  it('watches polled late (a loaded worker) get no calls of their own but ride along in prechecks\' calls', async () => {
    const { channel, batcher } = setup();
    const first = Array.from({ length: 20 }, (_, i) => batcher.watch(rem(`w-${i}`), true));
    await jest.advanceTimersByTimeAsync(300);
    await Promise.all(first);
    expect(channel.calls).toHaveLength(1);
    // Nobody polls for 3 intervals: after 2, refreshes of their own stop.
    await jest.advanceTimersByTimeAsync(3 * P);
    const own = channel.calls.length;
    expect(own).toBeLessThanOrEqual(1 + 3);
    await jest.advanceTimersByTimeAsync(2 * P);
    expect(channel.calls).toHaveLength(own);
    // A precheck's call carries them, so their next polls find a fresh answer.
    const pre = batcher.lookup(rem('p-1'), true);
    await jest.advanceTimersByTimeAsync(LINGER + CALL_MS);
    await pre;
    expect(channel.calls).toHaveLength(own + 1);
    expect(channel.calls[own].ids).toEqual(['p-1', ...Array.from({ length: 20 }, (_, i) => `w-${i}`)]);
    const polls = Array.from({ length: 20 }, (_, i) => batcher.watch(rem(`w-${i}`), true));
    await jest.advanceTimersByTimeAsync(0);
    expect((await Promise.all(polls)).every((x) => x?.online)).toBe(true);
    expect(channel.calls).toHaveLength(own + 1);
  });

  it('a burst of prechecks goes out in full calls at once, at most four under way per region, never one id in two calls', async () => {
    const SLOW = 200;
    const { channel, batcher } = setup(SLOW);
    let inFlight = 0;
    let peak = 0;
    const ask = channel.instanceInfo.bind(channel);
    channel.instanceInfo = (region: string, ids: string[]) => {
      peak = Math.max(peak, ++inFlight);
      return ask(region, ids).finally(() => inFlight--);
    };
    const t0 = Date.now();
    const answers = Promise.all(Array.from({ length: 320 }, (_, i) => batcher.lookup(rem(`p-${i}`), true)));
    await jest.advanceTimersByTimeAsync(5); // (the fake clock runs a 0 ms timer set inside a timer 1 ms later)
    // 320 waiting: four full calls leave at once, without the linger; the rest wait for a free call.
    expect(channel.calls.map((c) => c.ids.length)).toEqual([50, 50, 50, 50]);
    expect(Math.max(...channel.calls.map((c) => c.at - t0))).toBeLessThanOrEqual(5);
    await jest.advanceTimersByTimeAsync(3 * SLOW);
    const got = await answers;
    expect(got.map((x) => x?.instanceId)).toEqual(Array.from({ length: 320 }, (_, i) => `p-${i}`));
    expect(peak).toBe(4);
    expect(channel.calls.map((c) => c.ids.length)).toEqual([50, 50, 50, 50, 50, 50, 20]);
    const ids = channel.calls.flatMap((c) => c.ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Watches refreshed while a call for them is under way are not asked again meanwhile.
    const watched = Array.from({ length: 120 }, (_, i) => batcher.watch(rem(`w-${i}`), true));
    await jest.advanceTimersByTimeAsync(2 * SLOW + P / 4);
    await Promise.all(watched);
    const from = channel.calls.length;
    for (let k = 0; k < 6; k++) {
      const polls = Promise.all(Array.from({ length: 120 }, (_, i) => batcher.watch(rem(`w-${i}`), true)));
      await jest.advanceTimersByTimeAsync(P);
      expect((await polls).every((x) => x?.online)).toBe(true);
    }
    expect(channel.calls.length).toBeGreaterThan(from); // refreshes ran meanwhile
    const later = channel.calls.slice(from);
    for (let a = 0; a < later.length; a++)
      for (let b = a + 1; b < later.length; b++) {
        const overlap = later[b].at < later[a].at + SLOW && later[a].ids.some((id) => later[b].ids.includes(id));
        expect(overlap).toBe(false);
      }
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('a single fix asks the channel directly, at the top priority, once per lookup', async () => {
    const { channel, batcher } = setup();
    const a = batcher.lookup(rem('i-1'), false);
    const b = batcher.watch(rem('i-1'), false);
    expect(channel.calls.map((c) => c.priority)).toEqual(['single', 'single']);
    await jest.advanceTimersByTimeAsync(CALL_MS);
    expect((await a)?.instanceId).toBe('i-1');
    expect((await b)?.instanceId).toBe('i-1');
    expect(batcher.sizes()).toEqual({ answers: 0, wants: 0, timers: 0, subscriptions: 0 });
  });

  it('stays bounded when 100,000 instances are watched, and forgets them all once polls stop', async () => {
    const { channel, batcher } = setup(1);
    let peak = 0;
    const done: Promise<unknown>[] = [];
    for (let i = 0; i < 100_000; i++) {
      done.push(batcher.watch(rem(`i-${i}`, i % 2 ? 'us-east-1' : 'eu-west-1'), true));
      if (i % 500 === 499) {
        await jest.advanceTimersByTimeAsync(10);
        peak = Math.max(peak, batcher.sizes().answers);
      }
    }
    while (batcher.sizes().wants > 0) {
      await jest.advanceTimersByTimeAsync(P);
      peak = Math.max(peak, batcher.sizes().answers);
    }
    await Promise.all(done);
    expect(peak).toBeLessThanOrEqual(2 * 20_000);
    expect(channel.calls.every((c) => c.ids.length <= 50)).toBe(true);
    await jest.advanceTimersByTimeAsync(21_000);
    expect(batcher.sizes()).toEqual({ answers: 0, wants: 0, timers: 0, subscriptions: 0 });
  });
});

describe('InstanceInfoBatcher: restart watches that sleep until their answer changes', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function withWakes() {
    const { channel, batcher } = setup();
    const woken: { at: number; ids: string[] }[] = [];
    batcher.useWake(async (ids) => void woken.push({ at: Date.now(), ids }));
    return { channel, batcher, woken };
  }

  it('keeps the sleeping watch refreshed every interval and wakes it within one interval of the change, once', async () => {
    const { channel, batcher, woken } = withWakes();
    const p = batcher.watch(rem('i-1'), true);
    await jest.advanceTimersByTimeAsync(300);
    expect((await p)?.online).toBe(true);
    expect(batcher.wakeOnChange(rem('i-1'), true, 20 * P)).toBe(true);
    // Nobody polls; the answer is refreshed anyway, and nothing changes: no wake.
    await jest.advanceTimersByTimeAsync(5 * P);
    expect(woken).toEqual([]);
    const callsWhileAsleep = channel.calls.length;
    expect(callsWhileAsleep).toBeGreaterThanOrEqual(5);
    // The agent goes away: the next refresh wakes the remediation.
    const wentAt = Date.now();
    channel.offline.add('i-1');
    await jest.advanceTimersByTimeAsync(P + CALL_MS);
    expect(woken).toEqual([{ at: expect.any(Number), ids: ['rem-i-1'] }]);
    expect(woken[0].at - wentAt).toBeLessThanOrEqual(P + CALL_MS);
    // Woken once: its subscription is gone until the step subscribes again.
    await jest.advanceTimersByTimeAsync(3 * P);
    expect(woken).toHaveLength(1);
    expect(batcher.sizes().subscriptions).toBe(0);
  });

  it('wakes at once when the answer it holds already differs from what the step saw', async () => {
    const { channel, batcher, woken } = withWakes();
    channel.offline.add('i-2');
    const p = batcher.watch(rem('i-2'), true);
    await jest.advanceTimersByTimeAsync(300);
    expect((await p)?.online).toBe(false);
    batcher.wakeOnChange(rem('i-2'), true, 20 * P);
    await jest.advanceTimersByTimeAsync(0);
    expect(woken.map((w) => w.ids)).toEqual([['rem-i-2']]);
  });

  it('gives up after its time: no wake, no refreshes of its own, forgotten like any watch', async () => {
    const { channel, batcher, woken } = withWakes();
    const p = batcher.watch(rem('i-3'), true);
    await jest.advanceTimersByTimeAsync(300);
    await p;
    batcher.wakeOnChange(rem('i-3'), true, 2 * P);
    await jest.advanceTimersByTimeAsync(6 * P);
    const calls = channel.calls.length;
    channel.offline.add('i-3');
    await jest.advanceTimersByTimeAsync(10 * P);
    expect(channel.calls.length).toBe(calls);
    expect(woken).toEqual([]);
    await jest.advanceTimersByTimeAsync(21_000);
    expect(batcher.sizes()).toEqual({ answers: 0, wants: 0, timers: 0, subscriptions: 0 });
  });

  it('refreshes a long restart\'s answer less often as it ages (an eighth of its age, up to POLL_MAX_INTERVAL_MS), and still wakes within one refresh', async () => {
    const { channel, batcher, woken } = withWakes();
    expect(batcher.refreshEvery(Date.now() - 10_000)).toBe(P);
    expect(batcher.refreshEvery(Date.now() - 40_000)).toBe(5000);
    expect(batcher.refreshEvery(Date.now() - 600_000)).toBe(15_000);
    const p = batcher.watch(rem('i-6'), true);
    await jest.advanceTimersByTimeAsync(300);
    await p;
    // The restart began a minute ago: refreshes every 7.5 s now, every 15 s a minute later.
    batcher.wakeOnChange(rem('i-6'), true, 180_000, Date.now() - 60_000);
    const before = channel.calls.length;
    await jest.advanceTimersByTimeAsync(60_000);
    const refreshes = channel.calls.length - before;
    // Every interval, a minute is 120 refreshes; aged, 5 to 7 (7.5 s growing to 15 s).
    expect(refreshes).toBeGreaterThanOrEqual(5);
    expect(refreshes).toBeLessThanOrEqual(7);
    expect(woken).toEqual([]);
    const wentAt = Date.now();
    channel.offline.add('i-6');
    await jest.advanceTimersByTimeAsync(15_000 + CALL_MS);
    expect(woken.map((w) => w.ids)).toEqual([['rem-i-6']]);
    expect(woken[0].at - wentAt).toBeLessThanOrEqual(15_000 + CALL_MS);
    // A step's poll never gets an aged answer: once it is an interval old, the channel is asked.
    channel.offline.delete('i-6');
    await jest.advanceTimersByTimeAsync(P);
    const asked = channel.calls.length;
    const poll = batcher.watch(rem('i-6'), true);
    await jest.advanceTimersByTimeAsync(300);
    expect((await poll)?.online).toBe(true);
    expect(channel.calls.slice(asked).some((c) => c.ids.includes('i-6'))).toBe(true);
  });

  it('learns how long the region\'s restarts take and looks less early in the next ones, still seeing a faster one within half the time left', async () => {
    const { channel, batcher, woken } = withWakes();
    const region = 'us-east-1';
    /** A restart that began 300 ms ago: the watch sees the agent gone and sleeps until it is back. */
    const restart = async (id: string) => {
      channel.offline.add(id);
      const p = batcher.watch(rem(id), true);
      await jest.advanceTimersByTimeAsync(300);
      expect((await p)?.online).toBe(false);
      expect(batcher.wakeOnChange(rem(id), false, 180_000, Date.now() - 300)).toBe(true);
    };
    // Fewer than five seen: every poll interval, as before.
    expect(batcher.expectedBackMs(region)).toBeNull();
    expect(batcher.refreshEvery(Date.now(), Date.now(), region)).toBe(P);
    // Five restarts of 24 s (under AGING_AFTER_MS, so their answers are refreshed every interval).
    for (let i = 0; i < 5; i++) await restart(`i-r${i}`);
    await jest.advanceTimersByTimeAsync(23_700);
    for (let i = 0; i < 5; i++) channel.offline.delete(`i-r${i}`);
    await jest.advanceTimersByTimeAsync(P + CALL_MS);
    expect(woken.flatMap((w) => w.ids).sort()).toEqual(['rem-i-r0', 'rem-i-r1', 'rem-i-r2', 'rem-i-r3', 'rem-i-r4']);
    // Seen back within a poll interval: that is what the region's restarts take.
    const back = batcher.expectedBackMs(region)!;
    expect(back).toBeGreaterThanOrEqual(24_000);
    expect(back).toBeLessThanOrEqual(24_000 + P + CALL_MS);
    const now = Date.now();
    expect(batcher.refreshEvery(now, now, region)).toBe(Math.round(back / 2)); // half the time left
    expect(batcher.refreshEvery(now - (back - 10_000), now, region)).toBe(5000);
    expect(batcher.refreshEvery(now - (back - 400), now, region)).toBe(P);
    expect(batcher.refreshEvery(now, now)).toBe(P); // no region: the age rule alone
    expect(batcher.refreshEvery(now, now, 'eu-west-1')).toBe(P); // a region that has seen none
    // The next restart is looked at a few times in its first 22 s, instead of every interval (44
    // times), and still seen back within one interval once its time comes.
    woken.length = 0;
    channel.calls.length = 0;
    await restart('i-next');
    await jest.advanceTimersByTimeAsync(22_000);
    const early = channel.calls.filter((c) => c.ids.includes('i-next')).length;
    expect(early).toBeGreaterThanOrEqual(3);
    expect(early).toBeLessThanOrEqual(8);
    await jest.advanceTimersByTimeAsync(back - 22_000);
    const backAt = Date.now();
    channel.offline.delete('i-next');
    await jest.advanceTimersByTimeAsync(P + CALL_MS);
    expect(woken.map((w) => w.ids)).toEqual([['rem-i-next']]);
    expect(woken[0].at - backAt).toBeLessThanOrEqual(P + CALL_MS);
    // A restart much faster than those seen is still seen within half of the time that was left.
    woken.length = 0;
    await restart('i-fast');
    await jest.advanceTimersByTimeAsync(2000);
    const fastAt = Date.now();
    channel.offline.delete('i-fast');
    await jest.advanceTimersByTimeAsync(back / 2 + CALL_MS);
    expect(woken.map((w) => w.ids)).toEqual([['rem-i-fast']]);
    expect(woken[0].at - fastAt).toBeLessThanOrEqual(back / 2 + CALL_MS);
  });

  it('cannot sleep where nothing would wake it: no wake set, or an instance this process does not watch', async () => {
    const { batcher } = setup();
    const p = batcher.watch(rem('i-4'), true);
    await jest.advanceTimersByTimeAsync(300);
    await p;
    expect(batcher.wakeOnChange(rem('i-4'), true, 10 * P)).toBe(false);
    const { batcher: other } = withWakes();
    expect(other.wakeOnChange(rem('i-5'), true, 10 * P)).toBe(false);
  });
});
