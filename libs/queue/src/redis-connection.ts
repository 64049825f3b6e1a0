import { RedisOptions } from 'ioredis';

/** ioredis options from a redis:// URL. Workers need maxRetriesPerRequest null (BullMQ). */
export function redisOptionsFromUrl(url: string, role: 'producer' | 'worker'): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    // The API must fail fast when Redis is down: the row is already saved and the reconciler
    // will enqueue it later (patterns/failing-fast-when-redis-is-down).
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5000,
  };
}
