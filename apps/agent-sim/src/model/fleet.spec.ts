import { Rng } from '../common/rng';
import { FLEET_MAX_UPTIME_MS, FLEET_MIN_UPTIME_MS, generateFleet } from './fleet';

describe('generateFleet boot times', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  const spec = { count: 200, tenantId: 't1', region: 'us-east-1', mix: { healthy: 1, 'cause-b': 1 } };

  it('gives every instance its own boot time, 1 to 60 days ago, in whole seconds', () => {
    const fleet = generateFleet(spec, new Rng(7), now);
    const boots = fleet.map((i) => Date.parse(i.bootTime));
    expect(new Set(boots).size).toBe(fleet.length);
    for (const b of boots) {
      expect(now - b).toBeGreaterThanOrEqual(FLEET_MIN_UPTIME_MS);
      expect(now - b).toBeLessThanOrEqual(FLEET_MAX_UPTIME_MS + 1000);
      expect(b % 1000).toBe(0);
    }
    // Spread over the range, not bunched: the 50 of one batch span days, not seconds.
    const spanDays = (Math.max(...boots.slice(0, 50)) - Math.min(...boots.slice(0, 50))) / 86_400_000;
    expect(spanDays).toBeGreaterThan(20);
  });

  it('is reproducible per seed and keeps the ids a seed gave before', () => {
    const a = generateFleet(spec, new Rng(42), now);
    const b = generateFleet(spec, new Rng(42), now);
    expect(a.map((i) => i.bootTime)).toEqual(b.map((i) => i.bootTime));
    expect(a.map((i) => i.instanceId)).toEqual(b.map((i) => i.instanceId));
  });

  it('lets an explicit bootTime override win', () => {
    const fleet = generateFleet({ ...spec, count: 10, overrides: { bootTime: '2026-11-30T08:00:00Z' } }, new Rng(3), now);
    expect(new Set(fleet.map((i) => Date.parse(i.bootTime)))).toEqual(new Set([Date.parse('2026-11-30T08:00:00Z')]));
  });
});
