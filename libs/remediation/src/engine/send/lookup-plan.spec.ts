import { lookupBoundS, lookupWindow, nextLookupInMs, PROVIDER_CLOCK_SKEW_MS } from './lookup-plan';

const cfg = { DELIVERY_TIMEOUT_S: 600, SEND_LOOKUP_MAX_S: undefined, SEND_LOOKUP_DELAY_MS: 5000, POLL_INTERVAL_MS: 2000 };

describe('lookup plan', () => {
  it('bounds the lookups of a changing command by the delivery timeout, a read-only one by a few lookup delays', () => {
    expect(lookupBoundS(true, cfg)).toBe(600);
    expect(lookupBoundS(true, { ...cfg, SEND_LOOKUP_MAX_S: 30 })).toBe(30);
    // SEND_LOOKUP_MAX_S can shorten the bound, never stretch it past the delivery timeout.
    expect(lookupBoundS(true, { ...cfg, SEND_LOOKUP_MAX_S: 9000 })).toBe(600);
    expect(lookupBoundS(false, cfg)).toBe(25);
    expect(lookupBoundS(false, { ...cfg, SEND_LOOKUP_MAX_S: 4 })).toBe(4);
  });

  it('derives the window from stored times: after the claim, before the unknown outcome was noted (or now)', () => {
    const sendingAt = new Date('2026-01-01T10:00:00Z');
    const unknownAt = new Date('2026-01-01T10:00:20Z');
    const now = new Date('2026-01-01T10:05:00Z');
    const w = lookupWindow({ sendingAt, requestedAt: new Date('2026-01-01T09:59:00Z'), sendUnknownAt: unknownAt }, now);
    expect(w.after.getTime()).toBe(sendingAt.getTime() - PROVIDER_CLOCK_SKEW_MS);
    expect(w.before.getTime()).toBe(unknownAt.getTime() + PROVIDER_CLOCK_SKEW_MS);
    // A sender that died without learning anything: the window ends now (plus skew), never open-ended.
    const crashed = lookupWindow({ sendingAt, requestedAt: sendingAt, sendUnknownAt: null }, now);
    expect(crashed.before.getTime()).toBe(now.getTime() + PROVIDER_CLOCK_SKEW_MS);
  });

  it('spaces lookups by half a lookup delay, at least a poll interval, and comes back for the last one at the bound', () => {
    expect(nextLookupInMs(cfg, 60_000)).toBe(2500);
    expect(nextLookupInMs(cfg, 1000)).toBe(2000);
    expect(nextLookupInMs({ ...cfg, SEND_LOOKUP_DELAY_MS: 600, POLL_INTERVAL_MS: 100 }, 10_000)).toBe(300);
  });
});
