import type { FieldError } from '../errors/error-body';

/** Deeper than any request this API defines (its DTOs are flat); class-transformer recurses per level. */
export const MAX_BODY_DEPTH = 8;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_REPORTED = 20;

export type BodyShapeProblem = { kind: 'not_an_object' } | { kind: 'too_deep'; field: string } | { kind: 'forbidden_key'; field: string } | { kind: 'nulls'; fields: FieldError[] };

/**
 * Checks a parsed JSON body before anything turns it into a DTO, without recursion (a body may
 * be thousands of levels deep): it must be an object; no level deeper than MAX_BODY_DEPTH; no
 * `__proto__` / `constructor` / `prototype` key (JSON.parse keeps them as own keys and a DTO
 * built from them would skip validation); and no `null` anywhere.
 *
 * The null rule is global and applies to every field of every request, present and future: an
 * optional field is either sent with a value or left out; `null` is a 400 naming the field (it
 * would otherwise replace the field's default and reach the database as NULL).
 */
export function checkBodyShape(body: unknown): BodyShapeProblem | null {
  if (body === undefined) return null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'not_an_object' };
  const nulls: FieldError[] = [];
  const stack: { value: object; path: string; depth: number }[] = [{ value: body, path: '', depth: 1 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    for (const key of Object.keys(value)) {
      const here = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden_key', field: here };
      const v = (value as Record<string, unknown>)[key];
      if (v === null) {
        if (nulls.length < MAX_REPORTED) nulls.push({ field: here, message: `${here} must not be null; leave it out to use its default` });
      } else if (typeof v === 'object') {
        if (depth >= MAX_BODY_DEPTH) return { kind: 'too_deep', field: here };
        stack.push({ value: v, path: here, depth: depth + 1 });
      }
    }
  }
  return nulls.length ? { kind: 'nulls', fields: nulls } : null;
}
