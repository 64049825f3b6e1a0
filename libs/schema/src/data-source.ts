// Entry point for the TypeORM CLI: `npx typeorm migration:run -d dist/libs/schema/src/data-source.js`.
import { DataSource } from 'typeorm';
import { loadConfig } from '@rdpfix/config';
import { schemaDataSourceOptions } from './index';

export default new DataSource(schemaDataSourceOptions(loadConfig().DATABASE_URL));
