import { Stack } from '../support/stack';

/** Bull Board on the API, behind the admin role: no key 401, another role 403, admin sees the queues. */
describe('queue dashboard (Bull Board)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
  }, 60_000);

  afterAll(async () => stack?.close());

  const get = (path: string, key?: string) => fetch(`${stack.apiUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('refuses without a key (401) and with a non-admin key (403), in the one error shape', async () => {
    const none = await get('/admin/queues');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ statusCode: 401, error: 'unauthorized' });
    for (const role of ['support', 'fleet'] as const) {
      const key = (await stack.createKey(role)).key;
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        const res = await get(path, key);
        expect({ role, path, status: res.status }).toEqual({ role, path, status: 403 });
        expect(await res.json()).toMatchObject({ error: 'forbidden' });
      }
    }
    const console = (await stack.createKey('console', 'tenant-a')).key;
    expect((await get('/admin/queues/api/queues', console)).status).toBe(403);
    // No way in through the URL: a key in the query string is not a key.
    expect((await get(`/admin/queues/api/queues?api_key=${stack.adminKey}`)).status).toBe(401);
  });

  it('serves the board and its API to an admin, with every rdpfix queue and a queued job', async () => {
    const instanceId = await stack.instance('2019', 'cause-a');
    await stack.submit({ instanceId, mode: 'diagnose' });
    const page = await get('/admin/queues', stack.adminKey);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/admin/queues');
    const api = await get('/admin/queues/api/queues', stack.adminKey);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['campaign-ticks', 'remediations', 'webhooks']);
    const remediations = body.queues.find((q) => q.name === 'remediations')!;
    expect(remediations.counts.waiting).toBe(1); // no worker in this stack: the job waits
  });
});
