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

const TIME_TYPES: ReadonlySet<unknown> = new Set(['timestamptz', 'timestamp', 'timestamp with time zone', 'timestamp without time zone', Date]);

/**
 * Maps a row PostgreSQL rendered as JSON (`json_agg(t)`, `to_json(t)`) onto a new entity: the
 * same as fromRow, except that timestamps arrive as ISO strings and become Dates, as
 * node-postgres would have made them.
 */
export function fromJsonRow<T>(meta: EntityMetadata, json: Record<string, unknown>): T {
  const e = meta.create() as Record<string, unknown>;
  for (const col of meta.columns) {
    const v = json[col.databaseName];
    e[col.propertyName] = v !== null && v !== undefined && TIME_TYPES.has(col.type) ? new Date(v as string) : v;
  }
  return e as T;
}

/**
 * `current` with `patch` applied, as PostgreSQL would hand the updated row back: jsonb values as
 * their JSON text parses (a Date inside becomes its ISO string, undefined keys vanish),
 * timestamps as Dates. For a compare-and-set that won: the row it started from was `current` at
 * that version (every writer bumps the version), so the new row is known without reading it back.
 */
export function withPatch<T>(meta: EntityMetadata, current: T, patch: object): T {
  const e = meta.create() as Record<string, unknown>;
  const from = current as Record<string, unknown>;
  const p = patch as Record<string, unknown>;
  for (const col of meta.columns) {
    const name = col.propertyName;
    const v = p[name];
    if (v === undefined) e[name] = from[name];
    else if (v === null) e[name] = null;
    else if (col.type === 'jsonb') e[name] = JSON.parse(JSON.stringify(v));
    else if (TIME_TYPES.has(col.type)) e[name] = new Date(v as string | Date);
    else e[name] = v;
  }
  return e as T;
}
