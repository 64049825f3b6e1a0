import { loadConfig } from '@rdpfix/config';
import { ensureDatabase, runMigrations } from '@rdpfix/persistence';
import { preflight } from '../preflight';

/** `rdpfix migrate`: creates the database if needed and applies pending migrations. */
export async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const problems = await preflight(config.DATABASE_URL, config.REDIS_URL);
  const pgProblem = problems.find((p) => p.startsWith('PostgreSQL'));
  if (pgProblem) {
    console.error(pgProblem);
    return 1;
  }
  await ensureDatabase(config.DATABASE_URL);
  const applied = await runMigrations(config.DATABASE_URL);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  return 0;
}
