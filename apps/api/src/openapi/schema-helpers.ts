/**
 * Small builders for OpenAPI 3.1 (JSON Schema 2020-12) schemas: nullable is a type list, not
 * OpenAPI 3.0's `nullable: true`.
 */
export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
export const nstr = (description?: string, extra: Schema = {}): Schema => ({ type: ['string', 'null'], ...(description ? { description } : {}), ...extra });
export const date = (description?: string): Schema => str(description, { format: 'date-time' });
export const ndate = (description?: string): Schema => nstr(description, { format: 'date-time' });
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const nint = (description?: string): Schema => ({ type: ['integer', 'null'], ...(description ? { description } : {}) });
export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const uuid = (description?: string): Schema => str(description, { format: 'uuid' });
export const nuuid = (description?: string): Schema => nstr(description, { format: 'uuid' });
export const anyJson = (description?: string): Schema => ({ ...(description ? { description } : {}) });
export const counts = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'integer' } });
export const nenum = (values: readonly string[], description?: string): Schema => ({ type: ['string', 'null'], enum: [...values, null], ...(description ? { description } : {}) });
export const senum = (values: readonly string[], description?: string): Schema => ({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** An object whose listed properties are all present (the views always write every key). */
export function obj(properties: Record<string, Schema>, description?: string, opts: { open?: boolean; optional?: string[] } = {}): Schema {
  const optional = new Set(opts.optional ?? []);
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties).filter((k) => !optional.has(k)),
    ...(opts.open ? {} : { additionalProperties: false }),
  };
}

export const arr = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
