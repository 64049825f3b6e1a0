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
    expect(loadConfig({}).CAMPAIGN_LOOKAHEAD).toBe(true);
    expect(loadConfig({ CAMPAIGN_LOOKAHEAD: 'false' }).CAMPAIGN_LOOKAHEAD).toBe(false);
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
    [{ CAMPAIGN_COHORT_SHARE_PCT: '80' }, /CAMPAIGN_COHORT_SHARE_PCT must not be greater than 50/],
    [{ CAMPAIGN_COHORT_MAX_MS: '-1' }, /CAMPAIGN_COHORT_MAX_MS/],
    [{ CAMPAIGN_COHORT_MIN_RUN_MS: 'abc' }, /CAMPAIGN_COHORT_MIN_RUN_MS/],
    [{ CAMPAIGN_LOOKAHEAD: 'maybe' }, /CAMPAIGN_LOOKAHEAD/],
    [{ CAMPAIGN_GATE_FRESH_S: '0' }, /CAMPAIGN_GATE_FRESH_S/],
    [{ CAMPAIGN_GATE_WAKE_MS: '10' }, /CAMPAIGN_GATE_WAKE_MS/],
  ])('refuses %j naming the variable', (env, pattern) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>)).toThrow(pattern);
  });
  it('validates the region list at boot, naming the variable and the region', () => {
    expect(loadConfig({ REGIONS: 'eu-west-1, us-east-1' }).REGIONS).toBe('eu-west-1, us-east-1');
    expect(() => loadConfig({ REGIONS: 'eu-west-1,euwest2' })).toThrow(/REGIONS: "euwest2" is not a region name/);
    expect(() => loadConfig({ REGIONS: 'eu-west-1', CHANNEL_ENDPOINTS: '{"us-east-1":"http://x"}' })).toThrow(/CHANNEL_ENDPOINTS names region us-east-1, which is not in REGIONS/);
    expect(() => loadConfig({ REGIONS: 'eu-west-1', CHANNEL_BY_REGION: '{"cn-north-1":"jdcloud"}' })).toThrow(/CHANNEL_BY_REGION names region cn-north-1/);
    expect(() => loadConfig({ INVENTORY_BY_REGION: '{"cn-north-1":"ldap"}' })).toThrow(/INVENTORY_BY_REGION\.cn-north-1/);
  });
  it('leaves the SSM endpoint and AWS keys unset by default (real regional endpoints, the SDK credential chain)', () => {
    const c = loadConfig({});
    expect(c.CHANNEL_ENDPOINT).toBeUndefined();
    expect(c.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' }).AWS_SESSION_TOKEN).toBe('t');
  });
  it('parses a region -> endpoint map and rejects non-http values', () => {
    expect(parseEndpointMap('{"a":"http://x"}')).toEqual({ a: 'http://x' });
    expect(() => parseEndpointMap('{"a":"ftp://x"}')).toThrow(/CHANNEL_ENDPOINTS\.a/);
  });
});
