import { createHash } from 'crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';

/** Distinct statement texts given a name; past this, statements run unnamed (the set is small and fixed in practice). */
const MAX_NAMED = 500;
const names = new Map<string, string>();

/**
 * Runs one of the engine's hot statements as a named prepared statement on the pool's
 * connection (node-postgres prepares it once per connection). Parsing and planning were about
 * half of PostgreSQL's CPU per engine step with unnamed statements; a prepared one is bound and
 * executed only. Inside a transaction (`m`), the transaction's own connection runs it unnamed.
 * Statements name their result columns (never `SELECT *` at the top level), so a migration that
 * adds a column cannot break a prepared plan's result type.
 */
export async function preparedQuery<T = Record<string, unknown>>(ds: DataSource, text: string, values: unknown[], m?: EntityManager): Promise<T[]> {
  if (m) return m.query(text, values);
  let name = names.get(text);
  if (!name && names.size < MAX_NAMED) {
    name = `rdpfix_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  const res = await poolOf(ds).query({ ...(name ? { name } : {}), text, values });
  return res.rows as T[];
}

/**
 * Runs a statement unnamed, so that PostgreSQL plans it for these values and the table's size
 * today, every time. For the batched statements that join a set of ids against a growing table:
 * a prepared statement's generic plan, made while the table held a few rows, hash-joins it by
 * scanning it whole, and a connection keeps that plan as the table grows (until an ANALYZE
 * happens to invalidate it). In a new database's first 10,000-target campaign, half the batched
 * step writes scanned `remediations` whole. Planning one batched statement is cheap beside that.
 */
export async function freshlyPlannedQuery<T = Record<string, unknown>>(ds: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const res = await poolOf(ds).query({ text, values });
  return res.rows as T[];
}

/** The node-postgres pool under TypeORM's driver. */
function poolOf(ds: DataSource): Pool {
  return (ds.driver as unknown as { master: Pool }).master;
}

/** The entity's columns as an explicit select list (quoted), optionally qualified by a table alias. */
export function columnList(meta: EntityMetadata, alias?: string, except: readonly string[] = []): string {
  return meta.columns
    .filter((c) => !except.includes(c.databaseName))
    .map((c) => `${alias ? `${alias}.` : ''}"${c.databaseName}"`)
    .join(', ');
}
