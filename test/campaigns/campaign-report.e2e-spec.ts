import { bearer, CampaignStack, createCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';

/** Issue 10 §4, §10, §14: the report streams one row per instance (10,000 here); the census aggregates. */
describe('campaign report and census', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack();
  });
  afterAll(async () => s.close());

  it('streams 10,000 rows from a cursor, as JSON and as CSV, filtered by outcome', async () => {
    const ids = await simFleet(s.stack, 10_000, { preset: 'healthy' });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 1, targets: targetsOf(ids) });
    expect((await s.stack.http('POST', `/v1/campaigns/${c.id}/cancel`, undefined, bearer(s.keys.fleet))).status).toBe(202);
    const done = await waitCampaign(s.stack, c.id, ['cancelled']);
    const started = 10_000 - done.outcomes.not_started;

    // JSON: chunked (no Content-Length), in many pieces, every row there in list order.
    const res = await fetch(`${s.stack.apiUrl}/v1/campaigns/${c.id}/report?format=json`, { headers: bearer(s.keys.support) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks++;
      text += decoder.decode(part, { stream: true });
    }
    expect(chunks).toBeGreaterThan(5);
    const rows = JSON.parse(text);
    expect(rows).toHaveLength(10_000);
    expect(rows.map((r: { instanceId: string }) => r.instanceId)).toEqual(ids);
    expect(Object.keys(rows[0])).toEqual(['instanceId', 'region', 'wave', 'state', 'outcome', 'reason', 'exitCode', 'attempts', 'startedAt', 'finishedAt', 'remediationId', 'outputTail', 'outputTruncated']);
    expect(rows[9_999]).toMatchObject({ instanceId: ids[9_999], outcome: 'not_started', reason: 'campaign_cancelled', attempts: 1, startedAt: null, outputTail: null });

    const csv = await (await fetch(`${s.stack.apiUrl}/v1/campaigns/${c.id}/report?format=csv`, { headers: bearer(s.keys.fleet) })).text();
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines[0]).toBe('instanceId,region,wave,state,outcome,reason,exitCode,attempts,startedAt,finishedAt,remediationId,outputTail,outputTruncated');
    expect(lines[10_000]).toBe(`${ids[9_999]},eu-west-1,,pending,not_started,campaign_cancelled,,1,,,,,`);

    const notStarted = (await s.stack.http('GET', `/v1/campaigns/${c.id}/report?outcome=not_started`)).body;
    expect(notStarted).toHaveLength(10_000 - started);
    const bad = await s.stack.http('GET', `/v1/campaigns/${c.id}/report?outcome=exploded&format=xml`);
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('outcome');
  });

  it('a diagnose campaign is a fleet census: causes by OS, grace days, licensing mode, refusals a fix would meet (JSON and CSV)', async () => {
    const b = await simFleet(s.stack, 3, { preset: 'cause-b', os: '2019' });
    const a = await simFleet(s.stack, 2, { preset: 'cause-a', os: '2016' });
    const h = await simFleet(s.stack, 1, { preset: 'healthy', os: '2022' });
    const dc = await simFleet(s.stack, 1, { preset: 'cause-b', os: '2016' });
    await s.stack.http('PATCH', `${s.stack.simUrl}/admin/instances/${dc[0]}`, { overrides: { domain: { role: 5, partOfDomain: true } } });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: 4, targets: targetsOf([...b, ...a, ...h, ...dc]) });
    await waitCampaign(s.stack, c.id);
    const census = (await s.stack.http('GET', `/v1/campaigns/${c.id}/census`)).body.census;
    expect(census.targets).toBe(7);
    expect(census.diagnosed).toBe(7);
    expect(census.byOutcome).toEqual({ diagnosed: 7 });
    expect(census.causesByOs['2019']).toEqual({ licensing_lockout: 3 });
    expect(census.causesByOs['2016']).toEqual({ single_session: 2, licensing_lockout: 1 });
    expect(census.causesByOs['2022']).toEqual({ none: 1 });
    expect(census.graceDays.expired).toBe(4);
    expect(census.wouldRefuse).toEqual({ domain_controller: 1 });
    expect(census.wouldFix).toBe(5);
    const rows = await s.stack.http('GET', `/v1/campaigns/${c.id}/report?outcome=diagnosed`);
    expect(rows.body.find((r: { instanceId: string }) => r.instanceId === dc[0]).reason).toBe('domain_controller');
    expect(rows.body.find((r: { instanceId: string }) => r.instanceId === h[0]).reason).toBe('healthy');
    expect(rows.body.find((r: { instanceId: string }) => r.instanceId === b[0]).reason).toBe('needs_fix');
    const csv = await (await fetch(`${s.stack.apiUrl}/v1/campaigns/${c.id}/census?format=csv`, { headers: bearer(s.keys.support) })).text();
    expect(csv.split('\n')[0]).toBe('section,key,subkey,count');
    expect(csv).toContain('would_refuse,domain_controller,,1');
    expect(csv).toContain('cause_by_os,2016,single_session,2');
  });
});
