import { Client } from 'pg';
import { Stack } from '../support/stack';

/**
 * Issue 12 leftover (issue 11): instance and region ids are validated with channelIdRules() of
 * the channel that serves the region (CHANNEL, CHANNEL_BY_REGION), so JD Cloud ids are checked on
 * JD Cloud regions and AWS ids on SSM regions; a mismatch is a 400 naming the field, writing nothing.
 */
describe('instanceId / region validation by the channel of the region', () => {
  let mixed: Stack; // CHANNEL=ssm, cn-north-1 -> jdcloud
  let jdFirst: Stack; // CHANNEL=jdcloud
  let pg: Client;

  beforeAll(async () => {
    mixed = await Stack.start({ worker: 'none', config: { CHANNEL_BY_REGION: '{"cn-north-2":"jdcloud"}' } });
    jdFirst = await Stack.start({ worker: 'none', channel: 'jdcloud' });
    pg = new Client({ connectionString: mixed.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await mixed?.close();
    await jdFirst?.close();
  });

  const post = (s: Stack, instanceId: string, region: string) => s.http('POST', '/v1/remediations', { instanceId, region, mode: 'diagnose' });
  const count = async () => (await pg.query('SELECT count(*)::int AS n FROM remediations')).rows[0].n as number;

  it('an SSM region takes AWS ids and refuses JD Cloud ids (400 naming instanceId and the channel)', async () => {
    const before = await count();
    const jdOnSsm = await post(mixed, 'i-uvvtdzuxre', 'eu-west-1');
    expect(jdOnSsm.status).toBe(400);
    expect(jdOnSsm.body).toEqual(expect.objectContaining({ error: 'validation_failed', fields: [expect.objectContaining({ field: 'instanceId' })] }));
    expect(jdOnSsm.body.fields[0].message).toMatch(/i-0123456789abcdef0 in region eu-west-1 \(served by the ssm channel\)/);
    expect(await count()).toBe(before);
    expect((await post(mixed, 'i-0123456789abcdef0', 'eu-west-1')).status).toBe(202);
  });

  it('a JD Cloud region (CHANNEL_BY_REGION) takes JD ids and refuses ids JD Cloud does not have', async () => {
    const before = await count();
    const mi = await post(mixed, 'mi-0123456789abcdef0', 'cn-north-2');
    expect(mi.status).toBe(400);
    expect(mi.body.fields).toEqual([expect.objectContaining({ field: 'instanceId', message: expect.stringMatching(/i-uvvtdzuxre in region cn-north-2 \(served by the jdcloud channel\)/) })]);
    expect(await count()).toBe(before);
    expect((await post(mixed, 'i-uvvtdzuxre', 'cn-north-2')).status).toBe(202);
  });

  it('with CHANNEL=jdcloud, an AWS-only region form is refused naming region; JD regions and ids pass', async () => {
    const gov = await post(jdFirst, 'i-uvvtdzuxre', 'us-gov-west-1');
    expect(gov.status).toBe(400);
    expect(gov.body.fields).toEqual([expect.objectContaining({ field: 'region', message: expect.stringMatching(/not a region of jdcloud/) })]);
    const ssmId = await post(jdFirst, 'mi-0123456789abcdef0', 'cn-north-1');
    expect(ssmId.status).toBe(400);
    expect(ssmId.body.fields[0].field).toBe('instanceId');
    expect((await post(jdFirst, 'i-uvvtdzuxre', 'cn-north-1')).status).toBe(202);
  });
});
