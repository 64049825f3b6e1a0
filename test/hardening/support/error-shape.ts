/** The one error shape of the API (apps/api/src/common/errors/error-body.ts), as a test sees it. */
const CONTEXT_KEYS = ['activeRemediationId', 'rollbackId', 'state'];

/** Why `body` is not an error body of status `status` in the one shape; null when it is. */
export function errorShapeProblem(body: unknown, status: number): string | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `not a JSON object: ${JSON.stringify(body)?.slice(0, 200)}`;
  const b = body as Record<string, unknown>;
  if (b.statusCode !== status) return `statusCode ${JSON.stringify(b.statusCode)} != ${status}`;
  if (typeof b.error !== 'string' || !/^[a-z][a-z0-9_]*$/.test(b.error)) return `error is not a snake_case code: ${JSON.stringify(b.error)}`;
  if (typeof b.message !== 'string' || !b.message) return `message is not a non-empty string: ${JSON.stringify(b.message)}`;
  if ('fields' in b) {
    if (!Array.isArray(b.fields) || b.fields.length === 0) return `fields is not a non-empty array: ${JSON.stringify(b.fields)}`;
    for (const f of b.fields as unknown[]) {
      const ff = f as Record<string, unknown>;
      if (!ff || typeof ff.field !== 'string' || typeof ff.message !== 'string' || Object.keys(ff).length !== 2) return `bad field entry ${JSON.stringify(f)}`;
    }
  }
  const extra = Object.keys(b).filter((k) => !['statusCode', 'error', 'message', 'fields', ...CONTEXT_KEYS].includes(k));
  return extra.length ? `unexpected keys ${extra.join(', ')}` : null;
}

export function expectErrorShape(body: unknown, status: number): void {
  const problem = errorShapeProblem(body, status);
  if (problem) throw new Error(`error body for ${status} is not in the one shape: ${problem}`);
}
