import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';

/**
 * A raw `pg` client from TypeORM's pool, for what TypeORM cannot do: COPY streams and cursors
 * (pg-copy-streams, pg-query-stream). Always give it back with `release()`; pass the error when
 * it may be left mid-COPY or mid-transaction, so the connection is closed instead of pooled.
 */
export async function rawClient(ds: DataSource): Promise<{ client: PoolClient; release: (err?: Error) => void }> {
  const qr = ds.createQueryRunner() as unknown as { connect(): Promise<PoolClient>; releasePostgresConnection(err?: Error): Promise<void> };
  const client = await qr.connect();
  return { client, release: (err?: Error) => void qr.releasePostgresConnection(err).catch(() => undefined) };
}
