import { decodeJdOutput, mapJdInstanceStatus, mapJdInvocationStatusWithoutInstance, parseIntString, parseJdTime } from './jdcloud-status';

describe('mapJdInstanceStatus', () => {
  it.each([
    ['pending', null, 'pending'],
    ['waiting', null, 'pending'],
    ['running', null, 'running'],
    ['stopping', null, 'running'],
    ['finish', 0, 'succeeded'],
    ['finished', 0, 'succeeded'],
    ['FINISH', 0, 'succeeded'],
    ['finish', 1, 'failed'],
    ['failed', 1, 'failed'],
    ['error', null, 'failed'],
    ['timeout', null, 'timed_out'],
    ['aborted', null, 'undelivered'],
    ['invalid', null, 'undelivered'],
    ['terminated', null, 'cancelled'],
    ['cancel', null, 'cancelled'],
  ] as const)('%s (exit %s) -> %s', (s, exit, expected) => {
    expect(mapJdInstanceStatus(s, exit)).toBe(expected);
  });

  it('unknown and missing statuses are non-terminal', () => {
    expect(mapJdInstanceStatus('somethingNew', 0)).toBe('pending');
    expect(mapJdInstanceStatus(undefined, null)).toBe('pending');
    expect(mapJdInvocationStatusWithoutInstance('finish')).toBe('pending');
    expect(mapJdInvocationStatusWithoutInstance('failed')).toBe('undelivered');
    expect(mapJdInvocationStatusWithoutInstance('stopped')).toBe('cancelled');
    expect(mapJdInvocationStatusWithoutInstance('new')).toBe('pending');
  });
});

describe('string fields', () => {
  it('parses exit codes and timeouts from strings only when they are integers', () => {
    expect(parseIntString('0')).toBe(0);
    expect(parseIntString(' 3010 ')).toBe(3010);
    expect(parseIntString('-1')).toBe(-1);
    expect(parseIntString(7)).toBe(7);
    expect(parseIntString('')).toBeNull();
    expect(parseIntString('1.5')).toBeNull();
    expect(parseIntString(null)).toBeNull();
  });

  it('decodes base64 output and keeps raw output', () => {
    const line = '{"script":"diagnose","version":1,"ok":true}\r\n';
    expect(decodeJdOutput(Buffer.from(line).toString('base64'))).toEqual({ text: line, truncated: false });
    expect(decodeJdOutput(line)).toEqual({ text: line, truncated: false });
    // Valid base64 whose bytes are not UTF-8 text stays raw.
    expect(decodeJdOutput('abcd').text).toBe('abcd');
    expect(decodeJdOutput(Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')).text).toBe('//79');
    expect(decodeJdOutput(undefined)).toEqual({ text: '', truncated: false });
  });

  it('flags output at the 6000-byte cap as truncated', () => {
    const cut = 'a'.repeat(5000) + 'b'.repeat(1000);
    expect(decodeJdOutput(cut).truncated).toBe(true);
    expect(decodeJdOutput(Buffer.from(cut).toString('base64')).truncated).toBe(true);
    expect(decodeJdOutput('x'.repeat(100)).truncated).toBe(false);
  });

  it('reads ISO and plain JD times', () => {
    expect(parseJdTime('2024-01-01T00:00:00Z')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseJdTime('2024-01-01 08:00:00')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseJdTime('soon')).toBeNull();
  });
});
