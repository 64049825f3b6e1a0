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
    extra: { max: 10, connectionTimeoutMillis: 5000, ...pool, Client: ClientWithErrorListener },
  } as DataSourceOptions;
}
