import { ConfigError, loadConfig, parseEndpointMap } from './app-config';

describe('loadConfig', () => {
  it('has a default for everything', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/rdpfix');
    expect(c.API_PORT).toBe(3000);
    expect(c.WORKER_CONCURRENCY).toBe(20);
  });
  it('reads and converts the environment', () => {
    const c = loadConfig({ API_PORT: '8080', WEBHOOK_ALLOW_HTTP: 'true', CHANNEL_ENDPOINTS: '{"eu-west-1":"https://ssm.eu-west-1.amazonaws.com"}' });
    expect(c.API_PORT).toBe(8080);
    expect(c.WEBHOOK_ALLOW_HTTP).toBe(true);
  });
  it.each([
    [{ API_PORT: 'eighty' }, /API_PORT/],
    [{ API_PORT: '70000' }, /API_PORT/],
    [{ CHANNEL_ENDPOINT: 'not a url' }, /CHANNEL_ENDPOINT/],
    [{ DELIVERY_TIMEOUT_S: '10' }, /DELIVERY_TIMEOUT_S/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ CHANNEL_ENDPOINTS: '[1]' }, /CHANNEL_ENDPOINTS/],
    [{ IDEMPOTENCY_TTL_S: '3600' }, /IDEMPOTENCY_TTL_S/],
    [{ AUTH_FAILURES_PER_MINUTE: '0' }, /AUTH_FAILURES_PER_MINUTE/],
    [{ API_TRUST_PROXY: 'loopback;rm -rf' }, /API_TRUST_PROXY/],
  ])('refuses %j naming the variable', (env, pattern) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>)).toThrow(pattern);
  });
  it('parses a region -> endpoint map and rejects non-http values', () => {
    expect(parseEndpointMap('{"a":"http://x"}')).toEqual({ a: 'http://x' });
    expect(() => parseEndpointMap('{"a":"ftp://x"}')).toThrow(/CHANNEL_ENDPOINTS\.a/);
  });
});
