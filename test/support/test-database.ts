import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, dropDatabase, ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { PG_BASE } from './stack';

/** A migrated database of its own for a repository-level test (no API, queue or worker), dropped at close. */
export async function openTestDatabase(tag: string): Promise<{ dbUrl: string; ds: DataSource; close: () => Promise<void> }> {
  const dbUrl = `${PG_BASE}/rdpfix_t_${tag}_${process.pid}_${randomUUID().slice(0, 8)}`;
  await ensureDatabase(dbUrl);
  await runMigrations(dbUrl);
  const ds = await new DataSource(dataSourceOptions(dbUrl)).initialize();
  return {
    dbUrl,
    ds,
    close: async () => {
      await ds.destroy();
      await dropDatabase(dbUrl);
    },
  };
}
