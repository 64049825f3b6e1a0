import { decodeCursor, encodeCursor, InvalidCursorError } from './remediation.service';

describe('list cursor', () => {
  it('round-trips (createdAt, id)', () => {
    const at = new Date('2026-11-25T08:00:00.123Z');
    expect(decodeCursor(encodeCursor({ createdAt: at, id: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e' }))).toEqual({ createdAt: at.toISOString(), id: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e' });
  });
  it.each(['garbage', Buffer.from('{"c":"x","i":"y"}').toString('base64url'), Buffer.from('{"c":"2026-01-01T00:00:00Z","i":"1; DROP"}').toString('base64url')])('rejects %p', (c) => {
    expect(() => decodeCursor(c)).toThrow(InvalidCursorError);
  });
});
