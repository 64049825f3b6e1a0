import { ClaimFloors, FLOOR_MARGIN_MS, FULL_CLAIM_EVERY_MS, NO_FLOOR } from './claim-floors';

describe('ClaimFloors', () => {
  const t0 = Date.parse('2026-12-04T00:00:00Z');

  it('reads a group from the start until a claim took runs, then from the oldest claimed run less the margin', () => {
    const f = new ClaimFloors();
    expect(f.next('eu', 'k', t0)).toBe(NO_FLOOR);
    f.claimed('eu', 'k', new Date(t0 - 1000));
    expect(f.next('eu', 'k', t0 + 10)).toBe(new Date(t0 - 1000 - FLOOR_MARGIN_MS).toISOString());
    // Groups and regions are apart.
    expect(f.next('eu', 'other', t0 + 10)).toBe(NO_FLOOR);
    expect(f.next('us', 'k', t0 + 10)).toBe(NO_FLOOR);
  });

  it('reads from the start again every FULL_CLAIM_EVERY_MS, and keeps the floor after it', () => {
    const f = new ClaimFloors();
    f.next('eu', 'k', t0);
    f.claimed('eu', 'k', new Date(t0));
    const floored = new Date(t0 - FLOOR_MARGIN_MS).toISOString();
    expect(f.next('eu', 'k', t0 + FULL_CLAIM_EVERY_MS - 1)).toBe(floored);
    expect(f.next('eu', 'k', t0 + FULL_CLAIM_EVERY_MS)).toBe(NO_FLOOR);
    expect(f.next('eu', 'k', t0 + FULL_CLAIM_EVERY_MS + 1)).toBe(floored);
  });

  it('drops the floor after a floored claim found nothing', () => {
    const f = new ClaimFloors();
    f.next('eu', 'k', t0);
    f.claimed('eu', 'k', new Date(t0));
    f.missed('eu', 'k');
    expect(f.next('eu', 'k', t0 + 1)).toBe(NO_FLOOR);
    expect(f.size()).toBe(1);
  });

  it('moves the floor with the oldest run of each claim, down as well as up', () => {
    const f = new ClaimFloors();
    f.next('eu', 'k', t0);
    f.claimed('eu', 'k', new Date(t0 + 60_000));
    expect(f.next('eu', 'k', t0 + 1)).toBe(new Date(t0 + 60_000 - FLOOR_MARGIN_MS).toISOString());
    // A full read found an older run (one put back to requested): the floor follows it down.
    f.claimed('eu', 'k', new Date(t0 - 60_000));
    expect(f.next('eu', 'k', t0 + 2)).toBe(new Date(t0 - 60_000 - FLOOR_MARGIN_MS).toISOString());
  });
});
