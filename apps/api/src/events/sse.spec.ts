import { sseComment, sseMessage, sseRetry } from './sse';

describe('SSE framing', () => {
  it('writes id, event and one data line per JSON line, ended by a blank line', () => {
    expect(sseMessage('step_started', { a: 'x\ny' }, '42')).toBe('id: 42\nevent: step_started\ndata: {"a":"x\\ny"}\n\n');
  });

  it('omits the id when there is none and keeps fields on one line', () => {
    expect(sseMessage('en\nd', null)).toBe('event: en d\ndata: null\n\n');
    expect(sseComment('heart\nbeat')).toBe(': heart beat\n\n');
    expect(sseRetry(2000.7)).toBe('retry: 2000\n\n');
  });
});
