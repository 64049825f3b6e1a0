import type { EntityMetadata } from 'typeorm';

/**
 * Plain-SQL helpers driven by an entity's own metadata. The hot paths (one read and one write per
 * engine step) use them instead of the query builder, whose CPU was most of the worker's cost,
 * while names and jsonb handling still come from the entity, never from a second hand-kept list.
 */

/** The columns `row` sets, their SQL placeholders from `$first` on, and the bound values. */
export function insertColumns(meta: EntityMetadata, row: object, first = 1): { columns: string[]; placeholders: string[]; params: unknown[] } {
  const set = meta.columns.filter((c) => (row as Record<string, unknown>)[c.propertyName] !== undefined);
  return {
    columns: set.map((c) => c.databaseName),
    placeholders: set.map((c, i) => `$${first + i}${c.type === 'jsonb' ? '::jsonb' : ''}`),
    params: set.map((c) => {
      const v = (row as Record<string, unknown>)[c.propertyName];
      return c.type === 'jsonb' && v !== null ? JSON.stringify(v) : v;
    }),
  };
}

/** Maps a raw row (snake_case, as node-postgres parsed it) onto a new entity instance. */
export function fromRow<T>(meta: EntityMetadata, raw: Record<string, unknown>): T {
  const e = meta.create() as Record<string, unknown>;
  for (const col of meta.columns) e[col.propertyName] = raw[col.databaseName];
  return e as T;
}
