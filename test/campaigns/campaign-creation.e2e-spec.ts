import { bearer, CampaignStack, campaignRowCounts, createCampaign, getCampaign, postCampaign, report, setCloud, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** A multipart body (spec + targets file) like the CLI and `curl -F` send. */
function form(spec: object, file: string): FormData {
  const f = new FormData();
  f.set('spec', JSON.stringify(spec));
  f.set('targets', new Blob([file], { type: 'text/csv' }), 'targets.csv');
  return f;
}

/**
 * Issue 10 §3, §8, §12, §14: targets frozen at creation with every exclusion and its reason,
 * previews that create nothing, bad input refused with the line or field named and nothing
 * written, roles and tenants, and retries as child campaigns.
 */
describe('campaign creation: exclusions, preview, bad input, roles, retry', () => {
  let s: CampaignStack;
  const inst: Record<string, string> = {};

  const upload = async (key: string, spec: object, file: string, query = '') => {
    const res = await fetch(`${s.stack.apiUrl}/v1/campaigns${query}`, { method: 'POST', headers: bearer(key), body: form(spec, file) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    s = await startCampaignStack();
    [inst.ok1, inst.ok2, inst.ok3, inst.linux, inst.stopped, inst.tagged, inst.excluded] = await simFleet(s.stack, 7, { preset: 'healthy' });
    [inst.busy] = await simFleet(s.stack, 1, { preset: 'cause-b' });
    [inst.otherRegion] = await simFleet(s.stack, 1, { region: 'us-east-1' });
    [inst.otherTenant] = await simFleet(s.stack, 1, { tenantId: 'tenant-b' });
    inst.unknown = id(0xdead);
    await setCloud(s.stack, inst.linux, { platform: 'linux' });
    await setCloud(s.stack, inst.stopped, { state: 'stopped' });
    await setCloud(s.stack, inst.tagged, { tags: { env: 'prod' } });
    // An active remediation elsewhere: a fix waiting for reboot approval.
    const busy = await s.stack.submit({ instanceId: inst.busy, mode: 'fix' });
    await s.stack.waitFor(busy.id, ['awaiting_approval']);
  });
  afterAll(async () => s.close());

  const listAll = () => targetsOf([inst.ok1, inst.ok2, inst.ok3, inst.linux, inst.stopped, inst.tagged, inst.excluded, inst.busy, inst.otherRegion, inst.otherTenant, inst.unknown]);
  const exclude = () => ({ instanceIds: [inst.excluded], filters: [{ tags: { env: 'prod' } }] });
  const expectedReasons = () => ({
    [inst.excluded]: 'excluded_by_id',
    [inst.tagged]: 'excluded_by_filter',
    [inst.linux]: 'not_windows',
    [inst.stopped]: 'stopped',
    [inst.busy]: 'active_remediation',
    [inst.otherRegion]: 'region_mismatch',
    [inst.unknown]: 'not_found',
  });

  it('previews: counts, a sample and every exclusion with its reason, and writes nothing', async () => {
    const before = await campaignRowCounts(s.pg);
    const res = await postCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', maxConcurrency: '50%', exclude: exclude(), targets: listAll() }, '?preview=true');
    expect(res.status).toBe(200);
    expect(res.body.preview).toBe(true);
    expect(res.body.id).toBeUndefined();
    expect(res.body.targets).toEqual({
      input: 11,
      eligible: 4,
      excluded: 7,
      excludedByReason: { excluded_by_id: 1, excluded_by_filter: 1, not_windows: 1, stopped: 1, active_remediation: 1, region_mismatch: 1, not_found: 1 },
      // The regions of the targets the inventory did not rule out (all were given as eu-west-1).
      regions: ['eu-west-1'],
    });
    expect(Object.fromEntries(res.body.exclusions.map((e: { instanceId: string; reason: string }) => [e.instanceId, e.reason]))).toEqual(expectedReasons());
    expect(res.body.sample.map((t: { instanceId: string }) => t.instanceId)).toEqual([inst.ok1, inst.ok2, inst.ok3, inst.otherTenant]);
    expect(res.body.rateControl.maxConcurrency).toEqual({ spec: '50%', value: 2 });
    expect(await campaignRowCounts(s.pg)).toEqual(before);
  });

  it('creates the frozen list: the report shows each excluded instance with its reason', async () => {
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', exclude: exclude(), targets: listAll() });
    expect(c.targets.eligible).toBe(4);
    expect(c.targetSource).toMatchObject({ kind: 'list', exclude: { instanceIds: 1 } });
    await waitCampaign(s.stack, c.id);
    const skipped = await report(s.stack, c.id, '?outcome=skipped');
    expect(Object.fromEntries(skipped.map((r) => [r.instanceId, r.reason]))).toEqual(expectedReasons());
    expect(skipped.every((r) => r.state === 'excluded' && r.startedAt === null)).toBe(true);
    const diagnosed = await report(s.stack, c.id, '?outcome=diagnosed');
    expect(diagnosed.map((r) => r.instanceId)).toEqual([inst.ok1, inst.ok2, inst.ok3, inst.otherTenant]);
  });

  it('takes an uploaded CSV and an inventory filter (tenant and tags)', async () => {
    const csv = `instanceId,region\n${inst.ok1},eu-west-1\n${inst.ok2},eu-west-1\n`;
    const up = await upload(s.keys.fleet, { mode: 'diagnose' }, csv, '?preview=true');
    expect(up.status).toBe(200);
    expect(up.body.targets.eligible).toBe(2);
    // A newline file, regions from the spec.
    const nl = await upload(s.keys.fleet, { mode: 'diagnose', region: 'eu-west-1' }, `${inst.ok1}\n${inst.ok3}\n`, '?preview=true');
    expect(nl.body.sample.map((t: { instanceId: string; region: string }) => [t.instanceId, t.region])).toEqual([[inst.ok1, 'eu-west-1'], [inst.ok3, 'eu-west-1']]);
    const canary = await simFleet(s.stack, 3, { tenantId: 'tenant-c', tags: { ring: 'canary' } });
    await simFleet(s.stack, 2, { tenantId: 'tenant-c', tags: { ring: 'main' } });
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', filter: { tenantId: 'tenant-c', tags: { ring: 'canary' } } });
    expect(c.targets.eligible).toBe(3);
    expect(c.targetSource).toMatchObject({ kind: 'filter', filter: { tenantId: 'tenant-c', tags: { ring: 'canary' } } });
    await waitCampaign(s.stack, c.id);
    expect((await report(s.stack, c.id)).map((r) => r.instanceId).sort()).toEqual([...canary].sort());
  });

  describe('bad input: a 4xx naming the line or field, and nothing written', () => {
    const refused = async (send: () => Promise<{ status: number; body: any }>, status: number, field: string | RegExp) => {
      const before = await campaignRowCounts(s.pg);
      const res = await send();
      expect({ status: res.status, error: res.body.error }).toEqual({ status, error: expect.any(String) });
      expect(res.body.statusCode).toBe(status);
      const fields = res.body.fields.map((f: { field: string }) => f.field);
      if (typeof field === 'string') expect(fields).toContain(field);
      else expect(fields.some((f: string) => field.test(f))).toBe(true);
      expect(await campaignRowCounts(s.pg)).toEqual(before);
      return res.body;
    };
    const json = (body: object) => () => postCampaign(s.stack, s.keys.fleet, body);

    it('a CSV with a junk line', async () => {
      const b = await refused(() => upload(s.keys.fleet, { mode: 'fix' }, `instanceId,region\n${inst.ok1},eu-west-1\nnot an instance id,eu-west-1\n${inst.ok2},eu-west-1\n`), 400, 'line 3');
      expect(b.message).toMatch(/line 3/);
    });

    it('duplicate instance ids (JSON and CSV)', async () => {
      await refused(json({ targets: [...targetsOf([inst.ok1, inst.ok2]), ...targetsOf([inst.ok1])] }), 400, 'targets[2].instanceId');
      const b = await refused(() => upload(s.keys.fleet, {}, `${inst.ok1},eu-west-1\n${inst.ok2},eu-west-1\n${inst.ok3},eu-west-1\n${inst.ok2},eu-west-1\n`), 400, 'line 4');
      expect(b.message).toMatch(/duplicate instance .* \(already on line 2\)/);
    });

    it('100,001 targets', async () => {
      const lines = Array.from({ length: 100_001 }, (_, i) => id(i + 1)).join('\n');
      const b = await refused(() => upload(s.keys.fleet, { region: 'eu-west-1' }, lines), 400, 'line 100001');
      expect(b.message).toMatch(/at most 100000 targets/);
    });

    it('a file row without a region when no region came before it', async () => {
      // The spec part after the file: its region cannot apply to rows already read.
      const f = new FormData();
      f.set('targets', new Blob([`${inst.ok1}\n`], { type: 'text/csv' }), 'targets.csv');
      f.set('spec', JSON.stringify({ region: 'eu-west-1' }));
      const send = async () => {
        const res = await fetch(`${s.stack.apiUrl}/v1/campaigns`, { method: 'POST', headers: bearer(s.keys.fleet), body: f });
        return { status: res.status, body: (await res.json()) as any };
      };
      const b = await refused(send, 400, 'line 1');
      expect(b.message).toMatch(/no region/);
    });

    it('unknown regions', async () => {
      await refused(json({ targets: [...targetsOf([inst.ok1]), { instanceId: inst.ok2, region: 'xx-nowhere-1' }] }), 400, 'targets[1].region');
      await refused(() => upload(s.keys.fleet, {}, `${inst.ok1},eu-west-1\n${inst.ok2},zz-moon-7\n`), 400, 'line 2');
      await refused(json({ filter: { region: 'xx-nowhere-1' } }), 400, 'filter.region');
    });

    it('a percentage over 100', async () => {
      await refused(json({ maxConcurrency: '150%', targets: targetsOf([inst.ok1]) }), 400, 'maxConcurrency');
      await refused(json({ maxErrors: '101%', targets: targetsOf([inst.ok1]) }), 400, 'maxErrors');
      await refused(json({ waves: [1, '200%'], targets: targetsOf([inst.ok1]) }), 400, 'waves[1]');
    });

    it('and the rest: no targets, targets and a filter, unknown fields, broken JSON, another content type', async () => {
      await refused(json({ mode: 'fix' }), 400, 'targets');
      await refused(json({ filter: { tenantId: 'tenant-a' }, targets: targetsOf([inst.ok1]) }), 400, 'filter');
      await refused(json({ bogus: true, targets: targetsOf([inst.ok1]) }), 400, 'bogus');
      await refused(() => s.stack.http('POST', '/v1/campaigns', '{"targets": [', bearer(s.keys.fleet)), 400, 'body');
      await refused(() => s.stack.http('POST', '/v1/campaigns', 'x', { ...bearer(s.keys.fleet), 'content-type': 'text/plain' }), 415, 'content-type');
      await refused(() => s.stack.http('POST', '/v1/campaigns?preview=maybe', { targets: targetsOf([inst.ok1]) }, bearer(s.keys.fleet)), 400, 'preview');
    });
  });

  it('keeps API_BODY_LIMIT for every other route, while a campaign body may be far larger', async () => {
    const big = { instanceId: inst.ok1, region: 'eu-west-1', ticketRef: 'x', padding: 'y'.repeat(20_000) };
    expect((await s.stack.http('POST', '/v1/remediations', big)).status).toBe(413);
    const many = Array.from({ length: 600 }, (_, i) => ({ instanceId: id(0x10000 + i), region: 'eu-west-1' }));
    const res = await postCampaign(s.stack, s.keys.fleet, { targets: many }, '?preview=true');
    expect(JSON.stringify({ targets: many }).length).toBeGreaterThan(16_384);
    expect(res.status).toBe(200);
    expect(res.body.targets.excludedByReason).toEqual({ not_found: 600 });
  });

  it('roles: fleet creates and controls, support reads, console is refused, a tenant-bound key sees only its tenant', async () => {
    const body = { mode: 'diagnose', targets: targetsOf([inst.ok1, inst.otherTenant]) };
    expect((await postCampaign(s.stack, s.keys.console, body)).status).toBe(403);
    expect((await postCampaign(s.stack, s.keys.support, body)).status).toBe(403);
    const unbound = await createCampaign(s.stack, s.keys.fleet, { ...body, maxConcurrency: 1 });
    await s.stack.http('POST', `/v1/campaigns/${unbound.id}/pause`, undefined, bearer(s.keys.fleet));
    for (const [method, path, expected] of [
      ['GET', `/v1/campaigns/${unbound.id}`, { support: 200, console: 403, fleetA: 404 }],
      ['GET', `/v1/campaigns/${unbound.id}/report`, { support: 200, console: 403, fleetA: 404 }],
      ['GET', `/v1/campaigns/${unbound.id}/census`, { support: 200, console: 403, fleetA: 404 }],
      ['GET', '/v1/campaigns', { support: 200, console: 403, fleetA: 200 }],
      ['POST', `/v1/campaigns/${unbound.id}/resume`, { support: 403, console: 403, fleetA: 404 }],
      ['POST', `/v1/campaigns/${unbound.id}/cancel`, { support: 403, console: 403, fleetA: 404 }],
      ['POST', `/v1/campaigns/${unbound.id}/approve`, { support: 403, console: 403, fleetA: 404 }],
      ['POST', `/v1/campaigns/${unbound.id}/retry`, { support: 403, console: 403, fleetA: 404 }],
    ] as const) {
      for (const [who, status] of Object.entries(expected)) {
        const res = await s.stack.http(method, path, method === 'POST' ? { all: true } : undefined, bearer(s.keys[who as 'support']));
        expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status });
      }
    }
    // The paused campaign may have started a target before the pause landed: let it drain, so its
    // remediation no longer makes the instance ineligible (active_remediation) below.
    await waitCampaign(s.stack, unbound.id, ['paused', 'completed'], 90_000, (c) => c.counts.running === 0);
    // A tenant-bound fleet key: another tenant's instance does not exist for it.
    const mine = await createCampaign(s.stack, s.keys.fleetA, body);
    expect(mine.tenantId).toBe('tenant-a');
    expect(mine.targets).toMatchObject({ eligible: 1, excludedByReason: { not_found: 1 } });
    const list = (await s.stack.http('GET', '/v1/campaigns?limit=100', undefined, bearer(s.keys.fleetA))).body.items;
    expect(list.map((c: { id: string }) => c.id)).toEqual([mine.id]);
    expect((await getCampaign(s.stack, mine.id, s.keys.support)).tenantId).toBe('tenant-a');
    const filtered = await postCampaign(s.stack, s.keys.fleetA, { filter: { tenantId: 'tenant-b' } });
    expect(filtered.status).toBe(400);
    expect(filtered.body.fields[0].field).toBe('filter.tenantId');
    await s.stack.http('POST', `/v1/campaigns/${unbound.id}/cancel`, undefined, bearer(s.keys.fleet));
  });

  it('retries as a child campaign: the outcomes asked for, the parent\'s parameters, a link to it', async () => {
    const ids = await simFleet(s.stack, 5, { preset: 'healthy' });
    await s.stack.setFaults(ids[1], { scriptFailureRate: 1 });
    await s.stack.setFaults(ids[3], { scriptFailureRate: 1 });
    await s.stack.setAgent(ids[4], false);
    const parent = await createCampaign(s.stack, s.keys.fleet, { name: 'wave A', mode: 'diagnose', maxConcurrency: 2, maxErrors: 5, targets: targetsOf(ids) });
    expect((await s.stack.http('POST', `/v1/campaigns/${parent.id}/retry`, {}, bearer(s.keys.fleet))).status).toBe(409);
    const done = await waitCampaign(s.stack, parent.id);
    expect(done.outcomes).toEqual({ diagnosed: 2, failed: 2, unreachable: 1 });
    // The failures are fixed on the servers; retry what failed or was unreachable.
    await s.stack.setFaults(ids[1], {});
    await s.stack.setFaults(ids[3], {});
    await s.stack.setAgent(ids[4], true);
    const res = await s.stack.http('POST', `/v1/campaigns/${parent.id}/retry`, { outcomes: ['failed', 'unreachable'] }, bearer(s.keys.fleet));
    expect(res.status).toBe(201);
    const child = res.body;
    expect(child).toMatchObject({ parentId: parent.id, name: 'wave A (retry)', mode: 'diagnose', targetSource: { kind: 'retry', retryOf: { campaignId: parent.id, outcomes: ['failed', 'unreachable'] } } });
    expect(child.rateControl.maxConcurrency).toEqual({ spec: '2', value: 2 });
    expect(child.rateControl.maxErrors.spec).toBe('5');
    expect(child.targets.eligible).toBe(3);
    const finished = await waitCampaign(s.stack, child.id);
    expect(finished.outcomes).toEqual({ diagnosed: 3 });
    const rows = await report(s.stack, child.id);
    expect(rows.map((r) => [r.instanceId, r.attempts])).toEqual([[ids[1], 2], [ids[3], 2], [ids[4], 2]]);
    expect((await s.stack.http('POST', `/v1/campaigns/${parent.id}/retry`, { outcomes: ['exploded'] }, bearer(s.keys.fleet))).status).toBe(400);
  });
});
