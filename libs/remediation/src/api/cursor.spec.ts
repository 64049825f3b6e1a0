import fc from 'fast-check';
import { decodeCursor, encodeCursor, InvalidCursorError } from './list-cursor';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('list cursor', () => {
  it('round-trips (createdAt, id)', () => {
    const at = new Date('2026-11-25T08:00:00.123Z');
    expect(decodeCursor(encodeCursor({ createdAt: at, id: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e' }))).toEqual({ createdAt: at.toISOString(), id: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e' });
  });

  it.each([
    'garbage',
    '',
    b64('{"c":"x","i":"y"}'),
    b64('{"c":"2026-01-01T00:00:00Z","i":"1; DROP"}'),
    // Date.parse accepts these; PostgreSQL's cast does not (the 500 of issue 9).
    b64('{"c":"1","i":"6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e"}'),
    b64('{"c":"2026-02-30T00:00:00.000Z","i":"6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e"}'),
    b64('{"c":"+275760-09-13T00:00:00.000Z","i":"6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e"}'),
    // The old check took any 36 of [0-9a-f-].
    b64('{"c":"2026-01-01T00:00:00.000Z","i":"------------------------------------"}'),
    b64('null'),
    b64('[]'),
  ])('rejects %p', (c) => {
    expect(() => decodeCursor(c)).toThrow(InvalidCursorError);
  });

  it('decodes nothing it did not issue into anything but a valid instant and UUID (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map(b64), fc.record({ c: fc.oneof(fc.string(), fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString()))), i: fc.oneof(fc.uuid(), fc.string()) }).map((o) => b64(JSON.stringify(o)))), (c) => {
        let out: { createdAt: string; id: string } | undefined;
        try {
          out = decodeCursor(c);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidCursorError);
          return;
        }
        expect(new Date(out.createdAt).toISOString()).toBe(out.createdAt);
        expect(out.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      }),
      { seed: 11, numRuns: 2000 },
    );
  });
});
