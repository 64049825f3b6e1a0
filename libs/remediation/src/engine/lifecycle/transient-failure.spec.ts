import { ChannelError, ChannelThrottledError } from '@rdpfix/channel';
import { isTransientFailure, transientBackoffMs } from './transient-failure';

describe('transient failures (reschedule, spend no attempt)', () => {
  it('outages and channel trouble are transient; bugs and refusals are not', () => {
    expect(isTransientFailure(new ChannelThrottledError('slow down', 500))).toBe(true);
    expect(isTransientFailure(new ChannelError('503', 'InternalServerError', true))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isTransientFailure(new ChannelError('bad instance id', 'InvalidInstanceId', false))).toBe(false);
    expect(isTransientFailure(new TypeError("Cannot read properties of undefined (reading 'kind')"))).toBe(false);
  });

  it('backoff doubles from 0.5 s to at most 30 s, with jitter', () => {
    for (let i = 0; i < 50; i++) {
      expect(transientBackoffMs(0)).toBeGreaterThanOrEqual(400);
      expect(transientBackoffMs(0)).toBeLessThanOrEqual(600);
      expect(transientBackoffMs(3)).toBeGreaterThanOrEqual(3200);
      expect(transientBackoffMs(40)).toBeLessThanOrEqual(36_000);
    }
  });
});
