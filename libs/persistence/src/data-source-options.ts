import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';
import { ClientWithErrorListener } from './client-with-error-listener';

/**
 * The one place TypeORM is configured. The schema only changes through migrations. `overrides`
 * replace options, except its `extra` (the pool's options), which is merged into the defaults;
 * the pool's clients are always ClientWithErrorListener.
 */
export function dataSourceOptions(databaseUrl: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  const { extra: pool, ...rest } = overrides as Partial<DataSourceOptions> & { extra?: Record<string, unknown> };
  return {
    type: 'postgres',
    url: databaseUrl,
    // Only this lib's entities; the apps compose every lib's list (libs/schema).
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    ...rest,
    // jit off: rdpfix's statements are short OLTP ones, and a stale row estimate made PostgreSQL
    // JIT-compile the engine's row read (a tenth of its calls in the fleet bench, 0.4–0.7 s of
    // PostgreSQL CPU per 10,000 remediations) for no gain. A DATABASE_URL `options=` still wins.
    extra: { max: 10, connectionTimeoutMillis: 5000, options: '-c jit=off', ...pool, Client: ClientWithErrorListener },
  } as DataSourceOptions;
}
