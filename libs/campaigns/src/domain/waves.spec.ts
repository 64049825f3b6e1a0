import fc from 'fast-check';
import { Amount } from './amount';
import { CampaignInputError } from './field-error';
import { parseWaves, resolveWaves } from './waves';

const c = (value: number): Amount => ({ kind: 'count', value });
const p = (value: number): Amount => ({ kind: 'percent', value });

describe('waves', () => {
  it('are cumulative: [1, 10, "5%", "100%"] on 1,000 targets = 1, 9, 40, 950', () => {
    expect(resolveWaves([c(1), c(10), p(5), p(100)], 1000)).toEqual([
      { wave: 1, spec: '1', cumulative: 1, size: 1 },
      { wave: 2, spec: '10', cumulative: 10, size: 9 },
      { wave: 3, spec: '5%', cumulative: 50, size: 40 },
      { wave: 4, spec: '100%', cumulative: 1000, size: 950 },
    ]);
  });

  it('drop waves that add nothing on a small fleet, and end at 100%', () => {
    expect(resolveWaves([c(1), c(10), p(5), p(100)], 100).map((w) => [w.spec, w.size])).toEqual([['1', 1], ['10', 9], ['100%', 90]]);
    expect(resolveWaves([c(2)], 5).map((w) => w.size)).toEqual([2, 3]);
    expect(resolveWaves([], 7)).toEqual([{ wave: 1, spec: '100%', cumulative: 7, size: 7 }]);
    expect(resolveWaves([c(50)], 3).map((w) => w.size)).toEqual([3]);
  });

  it('parse: a shrinking list or a bad entry names its index', () => {
    expect(parseWaves([1, 10, '5%', '100%'])).toEqual([c(1), c(10), p(5), p(100)]);
    for (const [raw, field] of [[[10, 5], 'waves[1]'], [['10%', '5%'], 'waves[1]'], [[1, '150%'], 'waves[1]'], [[0], 'waves[0]'], ['1,2', 'waves']] as const) {
      try {
        parseWaves(raw);
        throw new Error(`accepted ${JSON.stringify(raw)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(CampaignInputError);
        expect((err as CampaignInputError).problems[0].field).toBe(field);
      }
    }
  });

  it('property: sizes are positive, sum to the total, cumulative strictly grows and ends at the total', () => {
    const amount = fc.oneof(fc.integer({ min: 1, max: 5000 }).map(c), fc.integer({ min: 1, max: 100 }).map(p));
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 8 }), fc.integer({ min: 1, max: 100_000 }), (specs, total) => {
        const ws = resolveWaves(specs, total);
        expect(ws.reduce((s, w) => s + w.size, 0)).toBe(total);
        expect(ws[ws.length - 1].cumulative).toBe(total);
        ws.forEach((w, i) => {
          expect(w.wave).toBe(i + 1);
          expect(w.size).toBeGreaterThan(0);
          if (i > 0) expect(w.cumulative).toBeGreaterThan(ws[i - 1].cumulative);
        });
      }),
    );
  });
});
