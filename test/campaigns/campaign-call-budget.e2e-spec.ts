import Redis from 'ioredis';
import { ChannelBudget } from '@rdpfix/channel';
import { REDIS_URL } from '../support/stack';
import { CampaignCallBudget } from '../../apps/api/src/campaigns/campaign-call-budget';
import { CampaignStack, createCampaign, getCampaign, simFleet, startCampaignStack, targetsOf } from './support/harness';

/**
 * Issue 10: the shared channel call budget must "show its effective rate". GET /v1/campaigns/:id
 * shows, for the regions the campaign works in, the budget's limit and the rate it grants now
 * (lower after provider throttling), read from the buckets the workers share in Redis; when Redis
 * cannot be read the campaign is still answered, with the effective rate unknown (null).
 */
describe('campaign view: the channel call budget of its regions', () => {
  let s: CampaignStack;
  let redis: Redis;
  beforeAll(async () => {
    // No worker: the targets stay pending, so the regions come from the next targets to start.
    s = await startCampaignStack({ worker: 'none', config: { CHANNEL_CALLS_PER_SECOND: 40 } });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await s?.close();
  });

  it("includes a region whose targets come last (frozen at creation), not one the inventory ruled out", async () => {
    // 520 targets in eu-central-1 first, one in ap-south-1 last: the view once looked only at the
    // targets in flight and the next 500 to start, so ap-south-1's budget was missing until then.
    const early = await simFleet(s.stack, 520, { region: 'eu-central-1' });
    const late = await simFleet(s.stack, 1, { region: 'ap-south-1' });
    const elsewhere = await simFleet(s.stack, 1, { region: 'eu-central-1' });
    const c = await createCampaign(s.stack, s.keys.fleet, {
      mode: 'diagnose',
      // The last one claims a region its instance is not in: ineligible, and not a region of the campaign.
      targets: [...targetsOf(early, 'eu-central-1'), ...targetsOf(late, 'ap-south-1'), ...targetsOf(elsewhere, 'us-west-2')],
    });
    expect(c.targets).toMatchObject({ input: 522, eligible: 521, excluded: 1, regions: ['ap-south-1', 'eu-central-1'] });
    const view = await getCampaign(s.stack, c.id, s.keys.support);
    expect(Object.keys(view.callBudget)).toEqual(['ap-south-1', 'eu-central-1']);
    expect(view.callBudget['ap-south-1']).toEqual({ channel: 'ssm', limit: 40, effective: 40 });
    expect(view.targets.regions).toEqual(['ap-south-1', 'eu-central-1']);
  });

  // Last: it cuts the API's budget connection.
  it('shows limit and effective rate per region, the rate halved by provider throttling, and null (not a 5xx) when Redis fails', async () => {
    const eu = await simFleet(s.stack, 3, { region: 'eu-west-1' });
    const us = await simFleet(s.stack, 2, { region: 'us-east-1' });
    const other = await simFleet(s.stack, 1, { region: 'ap-south-1' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', targets: [...targetsOf(eu), ...targetsOf(us, 'us-east-1')] });
    await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', targets: targetsOf(other, 'ap-south-1') });

    const fresh = await getCampaign(s.stack, c.id, s.keys.support);
    // Only this campaign's regions; an unused bucket grants the limit.
    expect(fresh.callBudget).toEqual({
      'eu-west-1': { channel: 'ssm', limit: 40, effective: 40 },
      'us-east-1': { channel: 'ssm', limit: 40, effective: 40 },
    });

    // A worker's adapter saw ThrottlingException in us-east-1: the shared bucket halves its rate.
    await new ChannelBudget(redis, s.stack.prefix, 40).throttled('ssm', 'us-east-1');
    const throttled = await getCampaign(s.stack, c.id, s.keys.fleet);
    expect(throttled.callBudget['us-east-1']).toEqual({ channel: 'ssm', limit: 40, effective: 20 });
    expect(throttled.callBudget['eu-west-1'].effective).toBe(40);

    // The API's budget connection is lost: the view still answers, the rate is unknown.
    const apiRedis = (s.stack.apiApp!.get(CampaignCallBudget) as unknown as { redis: Redis }).redis;
    const ended = new Promise((r) => apiRedis.once('end', r));
    apiRedis.disconnect();
    await ended;
    const t0 = Date.now();
    const down = await s.stack.http('GET', `/v1/campaigns/${c.id}`, undefined, { authorization: `Bearer ${s.keys.fleet}` });
    expect(down.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(down.body.callBudget).toEqual({
      'eu-west-1': { channel: 'ssm', limit: 40, effective: null },
      'us-east-1': { channel: 'ssm', limit: 40, effective: null },
    });
    expect(down.body.counts.pending).toBe(5);
  });
});
