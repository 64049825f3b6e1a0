/**
 * Deep merge for instance overrides: plain objects merge key by key, arrays and scalars
 * replace, `undefined` is ignored (DTO class instances carry undefined own properties).
 * `null` replaces only where the target allows null; the caller validated that.
 */
export function deepMerge<T>(target: T, patch: unknown): T {
  if (!isPlainObject(patch)) return target;
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    // Maps keyed by data (statuses per server, failing reads) are replaced whole, not merged.
    if (isPlainObject(value) && isPlainObject(current) && key !== 'reachability' && key !== 'readFailures') {
      out[key] = deepMerge(current, value);
    } else if (isPlainObject(value)) {
      out[key] = deepMerge({}, value);
    } else if (Array.isArray(value)) {
      out[key] = value.map((v) => (isPlainObject(v) ? deepMerge({}, v) : v));
    } else {
      out[key] = value;
    }
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
