// Entry point for the TypeORM CLI: `npx typeorm migration:run -d dist/libs/persistence/src/data-source.js`.
import { DataSource } from 'typeorm';
import { loadConfig } from '@rdpfix/config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadConfig().DATABASE_URL));
