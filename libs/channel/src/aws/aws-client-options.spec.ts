import { SSMClient } from '@aws-sdk/client-ssm';
import { awsStaticCredentials, boundedHttpHandler } from './aws-client-options';
import { buildSsmChannel } from '../routing/channels-from-config';
import { loadConfig } from '@rdpfix/config';

describe('AWS client options', () => {
  it('uses static keys only when both are set (else the SDK default chain)', () => {
    expect(awsStaticCredentials({})).toBeUndefined();
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: 'AKIA' })).toBeUndefined();
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({ accessKeyId: 'AKIA', secretAccessKey: 's' });
    expect(awsStaticCredentials({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })).toEqual({ accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' });
  });

  it('bounds connect and request time, and throws on a request timeout', async () => {
    const h = boundedHttpHandler(1234, 5678);
    const cfg = await (h as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
    expect(cfg).toMatchObject({ connectionTimeout: 1234, requestTimeout: 5678, throwOnRequestTimeout: true });
  });

  it('with no CHANNEL_ENDPOINT, a region resolves to the real regional SSM endpoint', async () => {
    const channel = buildSsmChannel(loadConfig({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' }));
    const client = (channel as unknown as { client(region: string, forSend: boolean): SSMClient }).client('ap-southeast-2', false);
    const ep = await client.config.endpointProvider({ Region: 'ap-southeast-2', UseFIPS: false, UseDualStack: false });
    expect(ep.url.href).toBe('https://ssm.ap-southeast-2.amazonaws.com/');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIA' });
    channel.destroy();
  });

  it('CHANNEL_ENDPOINTS overrides one region, CHANNEL_ENDPOINT the others', () => {
    const channel = buildSsmChannel(loadConfig({ CHANNEL_ENDPOINT: 'http://sim:4566', CHANNEL_ENDPOINTS: '{"eu-west-3":"http://other:1"}' }));
    const opts = (channel as unknown as { opts: { endpointFor(r: string): string | undefined } }).opts;
    expect(opts.endpointFor('eu-west-3')).toBe('http://other:1');
    expect(opts.endpointFor('eu-west-1')).toBe('http://sim:4566');
    expect(buildSsmChannel(loadConfig({})) && (buildSsmChannel(loadConfig({})) as unknown as { opts: { endpointFor(r: string): string | undefined } }).opts.endpointFor('eu-west-1')).toBeUndefined();
  });
});
