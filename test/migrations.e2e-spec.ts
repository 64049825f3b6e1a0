import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { MIGRATIONS } from '../migrations';
import { PG_BASE } from './support/stack';

/** Every migration goes up, down (in reverse) and up again on a real PostgreSQL. */
describe('migrations', () => {
  it('apply, revert one by one and re-apply cleanly', async () => {
    const url = `${PG_BASE}/rdpfix_t_${process.pid}_migrations`;
    await ensureDatabase(url);
    const ds = new DataSource(schemaDataSourceOptions(url, { extra: { max: 1 } }));
    try {
      await ds.initialize();
      const tables = async () =>
        (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations' ORDER BY 1`)).map(
          (t: { table_name: string }) => t.table_name,
        );
      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(MIGRATIONS.map((m) => new m().name));
      expect(await tables()).toEqual([
        'api_keys',
        'campaign_events',
        'campaign_targets',
        'campaign_waves',
        'campaigns',
        'command_batches',
        'command_runs',
        'idempotency_keys',
        'remediations',
        'stream_tokens',
        'timeline_events',
        'webhook_attempts',
        'webhook_deliveries',
      ]);
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual([]);
      expect((await ds.runMigrations({ transaction: 'each' })).length).toBe(MIGRATIONS.length);
      // The schema guards what the application relies on.
      const pg = new Client({ connectionString: url });
      await pg.connect();
      const idx = await pg.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_remediations_active_instance'`);
      await pg.end();
      expect(idx.rows[0].indexdef).toMatch(/UNIQUE INDEX .* \(instance_id\) WHERE \(\(state\)::text <> 'finished'::text\)/);
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await dropDatabase(url);
    }
  });
});
