import { Client } from 'pg';
import { RemediationWorkerService } from '@rdpfix/remediation';
import { PG_BASE, Stack } from '../support/stack';
import { SwitchableEndpoint } from './support/switchable-endpoint';

/**
 * Liveness and readiness of the API and of the worker (its own HTTP port). The apps reach
 * PostgreSQL through a TCP proxy this test cuts: readiness must then answer 503 naming
 * postgres (never 500), and recover by itself when the database is back.
 */
describe('health and readiness', () => {
  let stack: Stack;
  let pgProxy: SwitchableEndpoint;

  beforeAll(async () => {
    pgProxy = await SwitchableEndpoint.start(PG_BASE.replace(/^postgres:/, 'http:'), 'forward');
    const proxied = new URL(pgProxy.url);
    stack = await Stack.start({
      config: { REGIONS: 'eu-west-1,eu-west-3' },
      routeDb: (dbUrl) => {
        const u = new URL(dbUrl);
        u.host = proxied.host;
        return u.toString();
      },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await pgProxy?.close();
  });

  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('live and ready answer 200 with every dependency up, on the API and on the worker', async () => {
    for (const base of [stack.apiUrl, stack.workerUrl!]) {
      expect((await get(`${base}/health/live`)).status).toBe(200);
      const ready = await get(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      expect(Object.keys(ready.body.info)).toEqual(expect.arrayContaining(['postgres', 'migrations', 'redis']));
    }
    expect((await get(`${stack.workerUrl}/health/ready`)).body.info.consuming.status).toBe('up');
  });

  it('the worker is not ready while it does not consume (paused queue worker)', async () => {
    const w = stack.workerApp!.get(RemediationWorkerService).bullWorker!;
    w.pause(true);
    try {
      const ready = await get(`${stack.workerUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body.error).toBe('not_ready');
      expect(ready.body.checks.error.consuming).toMatchObject({ status: 'down', paused: true });
    } finally {
      w.resume();
    }
    expect((await get(`${stack.workerUrl}/health/ready`)).status).toBe(200);
  });

  it('with PostgreSQL cut, readiness answers 503 naming postgres (never 500), liveness stays 200, and both recover', async () => {
    pgProxy.cut();
    try {
      for (const base of [stack.apiUrl, stack.workerUrl!]) {
        const ready = await get(`${base}/health/ready`);
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ statusCode: 503, error: 'not_ready' });
        expect(ready.body.checks.details.postgres.status).toBe('down');
        expect(ready.body.checks.details.redis.status).toBe('up');
        expect((await get(`${base}/health/live`)).status).toBe(200);
      }
      // The older /health path is the readiness answer too: 503, not the 500 it used to be.
      expect((await get(`${stack.apiUrl}/health`)).status).toBe(503);
    } finally {
      pgProxy.mode = 'forward';
    }
    for (const base of [stack.apiUrl, stack.workerUrl!]) await eventually(async () => (await get(`${base}/health/ready`)).status === 200, 20_000);
  }, 60_000);

  it('a request in a region this deployment does not serve (REGIONS) is a 400 naming region', async () => {
    const res = await stack.http('POST', '/v1/remediations', { instanceId: 'i-0123456789abcdef0', region: 'us-east-1', mode: 'diagnose' });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ field: 'region', message: 'region us-east-1 is not served by this deployment (it serves eu-west-1, eu-west-3)' }]);
  });
});

describe('readiness with a migration missing', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
  }, 60_000);

  afterAll(async () => stack?.close());

  it('answers 503 naming migrations until the schema is current', async () => {
    const db = new Client({ connectionString: stack.dbUrl });
    await db.connect();
    try {
      const [last] = (await db.query(`SELECT id, timestamp, name FROM typeorm_migrations ORDER BY timestamp DESC LIMIT 1`)).rows;
      await db.query(`DELETE FROM typeorm_migrations WHERE id = $1`, [last.id]);
      const res = await fetch(`${stack.apiUrl}/health/ready`);
      const body = (await res.json()) as Record<string, any>;
      expect(res.status).toBe(503);
      expect(body.checks.details.migrations).toMatchObject({ status: 'down', pending: 1, first: last.name });
      await db.query(`INSERT INTO typeorm_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [last.id, last.timestamp, last.name]);
      expect((await fetch(`${stack.apiUrl}/health/ready`)).status).toBe(200);
    } finally {
      await db.end();
    }
  });
});

async function eventually(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
