import 'reflect-metadata';
import { AppConfig, ConfigError, loadConfig } from '@rdpfix/config';
import { classifyStatus, parseRetrySchedule, RetrySchedule } from './retry-schedule';

describe('RetrySchedule', () => {
  it('the default keeps retrying for at least 24 hours', () => {
    const s = RetrySchedule.fromConfig(new AppConfig());
    expect(s.totalSeconds).toBeGreaterThanOrEqual(86400);
    expect(s.maxAttempts).toBe(s.delaysS.length + 1);
    expect(s.delayAfter(1)).toBe(5000);
  });

  it('n delays mean n + 1 attempts, scaled', () => {
    const s = new RetrySchedule(parseRetrySchedule(' 5, 30 ,120'), 0.001);
    expect([1, 2, 3, 4].map((a) => s.delayAfter(a))).toEqual([5, 30, 120, null]);
    expect(s.maxAttempts).toBe(4);
    expect(s.delayAfter(0)).toBeNull();
  });

  it('config validates the webhook fields', () => {
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_S: '5,,30' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_S: '5,-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCALE: 'fast' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'plain-text-secret' })).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: 'a.example.com;rm -rf' })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    const c = loadConfig({ WEBHOOK_RETRY_SCALE: '0.001', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1, [::1]' });
    expect(c.WEBHOOK_RETRY_SCALE).toBe(0.001);
    expect(c.WEBHOOK_ALLOW_HTTP).toBe(true);
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [301, 'retry'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [410, 'permanent'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ])('%i -> %s', (code, verdict) => {
    expect(classifyStatus(code)).toBe(verdict);
  });
});
