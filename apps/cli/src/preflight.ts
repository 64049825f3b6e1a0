import Redis from 'ioredis';
import { Client } from 'pg';

const PG_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)';
const REDIS_HINT = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no   (or: docker compose up -d redis)';

/**
 * Checks that PostgreSQL and Redis answer. Returns one plain line per unreachable service,
 * saying how to start it, so a newcomer sees advice instead of a stack trace.
 */
export async function preflight(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const pg = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (err) {
    problems.push(`PostgreSQL is not reachable at ${admin.host} (${(err as Error).message}). Start it: ${PG_HINT}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(`Redis is not reachable at ${new URL(redisUrl).host} (${(err as Error).message}). Start it: ${REDIS_HINT}`);
  } finally {
    redis.disconnect();
  }
  return problems;
}
