import { DataSourceOptions } from 'typeorm';
import { dataSourceOptions, ENTITIES } from '@rdpfix/persistence';
import { WEBHOOK_ENTITIES } from '@rdpfix/webhooks/persistence';
import { CAMPAIGN_ENTITIES } from '@rdpfix/campaigns/entities';
import { AUTH_ENTITIES } from '@rdpfix/auth/stream-tokens/stream-token.entity';

/**
 * The whole service's schema: every lib exports its own entities, and this is the one place the
 * apps (api, worker, cli), benches and tests compose them. It sits above the libs, so no lib
 * has to import another lib's entities (that made persistence <-> webhooks a cycle).
 */
export const ALL_ENTITIES = [...ENTITIES, ...WEBHOOK_ENTITIES, ...CAMPAIGN_ENTITIES, ...AUTH_ENTITIES];

/** TypeORM options with every entity of the service. */
export function schemaDataSourceOptions(databaseUrl: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return dataSourceOptions(databaseUrl, { entities: ALL_ENTITIES, ...extra } as Partial<DataSourceOptions>);
}
