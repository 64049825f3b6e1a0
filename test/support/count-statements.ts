import { DataSource } from 'typeorm';

type Query = (...a: unknown[]) => Promise<unknown>;
interface PgPool {
  on(event: 'acquire', fn: (client: { query: Query }) => void): void;
  off(event: 'acquire', fn: (client: { query: Query }) => void): void;
}

/**
 * Runs `fn` and counts the statements `ds`'s pool sent meanwhile (round trips of a hot path), on
 * every client checked out: the pool's own queries (prepared statements) check one out too, and
 * TypeORM's queries and transactions (BEGIN and COMMIT included) run on one.
 */
export async function countStatements<T>(ds: DataSource, fn: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const pool = (ds.driver as unknown as { master: PgPool }).master;
  let statements = 0;
  let counting = true;
  const patched = new Map<{ query: Query }, Query>();
  const onAcquire = (client: { query: Query }) => {
    if (patched.has(client)) return;
    const own = client.query;
    patched.set(client, own);
    client.query = function (this: unknown, ...a: unknown[]) {
      if (counting) statements++;
      return own.apply(this, a);
    } as Query;
  };
  pool.on('acquire', onAcquire);
  try {
    return { value: await fn(), statements };
  } finally {
    counting = false;
    pool.off('acquire', onAcquire);
    for (const [client, own] of patched) client.query = own;
  }
}
