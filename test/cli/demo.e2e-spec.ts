import { spawn } from 'child_process';
import net from 'net';
import path from 'path';
import { randomBytes } from 'crypto';
import { dropDatabase } from '@rdpfix/persistence';
import Redis from 'ioredis';
import { PG_BASE, REDIS_URL } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

/**
 * Issue 11 §15: `rdpfix demo --keep` (the built CLI) honours DATABASE_URL, QUEUE_PREFIX and
 * API_PORT, prints no JSON log line into its table, prints a usable key and a curl line that
 * works, and stops cleanly on Ctrl-C (SIGINT): exit 0, no "Called end on pool more than once".
 */
describe('rdpfix demo --keep (the built CLI)', () => {
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbUrl = `${PG_BASE}/rdpfix_t_demo_${tag}`;
  afterAll(async () => {
    await dropDatabase(dbUrl).catch(() => undefined);
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `rdpfix-t-demo-${tag}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });

  it('runs the scenarios, hands over a working key and curl line, and shuts down cleanly on SIGINT', async () => {
    const port = await freePort();
    const prefix = `rdpfix-t-demo-${tag}`;
    const child = spawn(process.execPath, [CLI, 'demo', '--keep'], {
      env: { ...process.env, DATABASE_URL: dbUrl, QUEUE_PREFIX: prefix, API_PORT: String(port), LOG_LEVEL: '', WEBHOOK_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const until = Date.now() + 100_000;
      while (!/^try: curl .*$/m.test(out) && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(out).toMatch(/^try: curl /m);
      expect(out).toContain(`API http://127.0.0.1:${port} `);
      expect(out).toContain(`queue prefix ${prefix}`);
      expect(out).toContain(`/rdpfix_t_demo_${tag}`);
      expect(out + err).not.toMatch(/\{"level"/); // no raw JSON log line, e.g. the development-secret warning
      expect(out).toMatch(/domain controller \(must refuse\) .* refused \(domain_controller\)/);

      // The printed key and curl line work (run as fetch with the same URL and headers).
      const key = /API key \(support role, valid while the demo runs\): (rdpfix_\S+)/.exec(out)![1];
      const curl = /^try: curl -s -H "authorization: Bearer (\S+)" -H "accept-language: zh-CN" (\S+)$/m.exec(out)!;
      expect(curl[1]).toBe(key);
      const res = await fetch(curl[2], { headers: { authorization: `Bearer ${key}`, 'accept-language': 'zh-CN' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-language')).toBe('zh-CN');
      expect(((await res.json()) as { outcome: string }).outcome).toBe("diagnosed");
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).not.toMatch(/Called end on pool more than once/);
    expect(out + err).not.toMatch(/Called end on pool more than once|UnhandledPromiseRejection/);
    expect(out).toMatch(/shutting down/);
  });
});
