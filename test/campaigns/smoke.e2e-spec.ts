import { createCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign, CampaignStack, report, simStats } from './support/harness';

describe('campaign smoke', () => {
  let s: CampaignStack;
  beforeAll(async () => {
    s = await startCampaignStack();
  });
  afterAll(async () => s.close());

  it('runs a small fix campaign end to end', async () => {
    const ids = await simFleet(s.stack, 12, { preset: 'cause-a' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'fix', maxConcurrency: 3, maxErrors: 2, targets: targetsOf(ids) });
    console.log(JSON.stringify(c, null, 1).slice(0, 1500));
    const done = await waitCampaign(s.stack, c.id);
    console.log(JSON.stringify(done, null, 1).slice(0, 3000));
    const rows = await report(s.stack, c.id);
    console.log(rows.slice(0, 2));
    console.log(await simStats(s.stack));
    expect(done.state).toBe('completed');
  });
});
