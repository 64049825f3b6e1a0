import { BadRequestException } from '@nestjs/common';
import { parseLastEventId } from './last-event-id';

describe('parseLastEventId', () => {
  it('is absent when neither is given (or the header is empty)', () => {
    expect(parseLastEventId(undefined, undefined)).toBeUndefined();
    expect(parseLastEventId('', undefined)).toBeUndefined();
  });

  it('takes the header over the query, and the query otherwise', () => {
    expect(parseLastEventId('17', '3')).toBe('17');
    expect(parseLastEventId(undefined, '3')).toBe('3');
    expect(parseLastEventId(' 9 ', undefined)).toBe('9');
    expect(parseLastEventId(undefined, '9223372036854775807')).toBe('9223372036854775807');
  });

  it.each([['0'], ['-1'], ['abc'], ['1.5'], ['1e3'], ['01'], ['9223372036854775808'], ['99999999999999999999'], [''], [['1', '2']]])(
    'rejects lastEventId=%j with a 400',
    (bad) => {
      expect(() => parseLastEventId(undefined, bad)).toThrow(BadRequestException);
    },
  );

  it('rejects a bad header, and a bad query even when the header is good', () => {
    expect(() => parseLastEventId('x', undefined)).toThrow(/Last-Event-ID must be a positive integer/);
    expect(() => parseLastEventId('5', 'x')).toThrow(/lastEventId must be a positive integer/);
  });
});
