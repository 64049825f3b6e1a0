import type { NextFunction, Request, Response } from 'express';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function findForbidden(v: unknown, path: string, depth: number): string | null {
  if (depth > 20 || v === null || typeof v !== 'object') return null;
  for (const k of Object.keys(v)) {
    const here = path ? `${path}.${k}` : k;
    if (FORBIDDEN.has(k)) return here;
    const inner = findForbidden((v as Record<string, unknown>)[k], here, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/**
 * JSON.parse keeps "__proto__" as an own key; turning such a body into a DTO would swap the
 * DTO's prototype and skip validation entirely. Such bodies are refused before anything else.
 */
export function forbiddenKeysMiddleware(req: Request, res: Response, next: NextFunction): void {
  const bad = findForbidden(req.body, '', 0);
  if (!bad) return next();
  res.status(400).json({ statusCode: 400, error: 'validation_failed', message: `forbidden key "${bad}"`, fields: [{ field: bad, message: 'forbidden key' }] });
}
