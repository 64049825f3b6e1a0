import fc from 'fast-check';
import { StreamSlots } from './stream-slots';

describe('StreamSlots', () => {
  it('caps each key and gives a slot back exactly once', () => {
    const slots = new StreamSlots(2);
    const a = slots.reserve('k')!;
    const b = slots.reserve('k')!;
    expect(slots.reserve('k')).toBeNull();
    expect(slots.reserve('other')).not.toBeNull();
    a.release();
    a.release();
    a.release();
    expect(slots.held('k')).toBe(1);
    expect(slots.reserve('k')).not.toBeNull();
    b.release();
    expect(slots.held('k')).toBe(1);
  });

  it('never goes below zero nor leaks, whatever the order of reserves and (repeated) releases', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant<'r'>('r'), fc.nat({ max: 30 })), { maxLength: 200 }), (ops) => {
        const slots = new StreamSlots(5);
        const live: ReturnType<StreamSlots['reserve']>[] = [];
        const released = new Set<number>();
        for (const op of ops) {
          if (op === 'r') live.push(slots.reserve('k'));
          else if (live.length) {
            const i = op % live.length;
            live[i]?.release();
            released.add(i);
          }
        }
        const held = live.filter((s, i) => s !== null && !released.has(i)).length;
        expect(slots.held('k')).toBe(held);
        expect(held).toBeLessThanOrEqual(5);
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});
