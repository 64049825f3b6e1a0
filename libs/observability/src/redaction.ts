/**
 * Redaction of keys and secrets in log output, wherever a client put them (issue 9 §6). Pure
 * functions, shared by the API and worker logger (logging.module.ts) and the simulator's.
 *
 * Three nets, each sufficient for its case:
 * - by header name: any header whose name suggests a credential (authorization, proxy-authorization,
 *   x-api-key, cookie, *token*, *secret*, *signature*, *session*, idempotency-key, ...);
 * - by query parameter or JSON field name: the same words (`?api_key=`, `"webhookSecret":"..."`);
 * - by shape, anywhere in any text (paths, messages, stack traces): rdpfix API keys
 *   (`rdpfix_<prefix>_<secret>`, also percent-encoded), Standard Webhooks secrets (`whsec_...`),
 *   `Bearer <token>`, `Basic <credentials>`, and user:password@ in URLs.
 */

export const REDACTED = '[redacted]';

/** Names (headers, query parameters, fields) that carry credentials. */
const SENSITIVE_NAME = /auth|key|token|secret|passw|pwd|cookie|signature|session|credential|bearer/i;

/** `rdpfix_<prefix>_<secret>`, with `_` possibly percent-encoded; the prefix (not secret) is kept. */
const API_KEY_SHAPE = /rdpfix(_|%5[Ff])([A-Za-z0-9]{1,64})(?:_|%5[Ff])(?:[A-Za-z0-9-]|_|%5[Ff]|%2[Dd])+/g;
const WEBHOOK_SECRET_SHAPE = /whsec_[A-Za-z0-9+/=%]+/g;
const AUTH_SCHEME_SHAPE = /\b(Bearer|Basic|Digest|AWS4-HMAC-SHA256)\s+[^\s"',;]+/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi;
/** key=value in a query string or form (value up to &, #, whitespace or a quote). */
const SENSITIVE_PARAM = /([?&;](?:[^=&#\s"']*)(?:auth|key|token|secret|passw|pwd|signature|session|credential)[^=&#\s"']*=)[^&#\s"']*/gi;
/**
 * "name":"value" in JSON text whose name suggests a credential. Plain "key" words only as whole
 * names (key, apiKey, idempotencyKey, ...): `keyId` names a key without being one.
 */
const SENSITIVE_JSON_FIELD =
  /("(?:[^"\\]*(?:authorization|token|secret|passw|pwd|cookie|signature|credential)[^"\\]*|key|apikey|api_key|api-key|x-api-key|idempotencykey|idempotency-key|accesskey|privatekey)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/** Redacts credential-shaped values anywhere in a text (URLs, messages, stacks). */
export function redactText(text: string): string {
  if (!text) return text;
  return text
    .replace(API_KEY_SHAPE, (_m, sep: string, prefix: string) => `rdpfix${sep}${prefix}${sep}${REDACTED}`)
    .replace(WEBHOOK_SECRET_SHAPE, `whsec_${REDACTED}`)
    .replace(AUTH_SCHEME_SHAPE, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SENSITIVE_PARAM, `$1${REDACTED}`);
}

/** A URL (path + query) with sensitive parameters and key-shaped path segments redacted. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** Headers with credential-named ones replaced, and key-shaped values redacted in the others. */
export function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!headers) return headers;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isSensitiveName(name)) out[name] = REDACTED;
    else if (typeof value === 'string') out[name] = redactText(value);
    else if (Array.isArray(value)) out[name] = value.map((v) => (typeof v === 'string' ? redactText(v) : v));
    else out[name] = value;
  }
  return out;
}

/** pino-http's serialized request ({method, url, query, params, headers, ...}) made safe to log. */
export function redactRequestLog<T extends { url?: unknown; headers?: unknown; query?: unknown; params?: unknown }>(req: T): T {
  if (!req || typeof req !== 'object') return req;
  const out = { ...req } as T & Record<string, unknown>;
  if (typeof out.url === 'string') out.url = redactUrl(out.url);
  if (out.headers && typeof out.headers === 'object') out.headers = redactHeaders(out.headers as Record<string, unknown>);
  for (const k of ['query', 'params'] as const) {
    const v = out[k];
    if (v && typeof v === 'object') out[k] = redactFields(v as Record<string, unknown>);
  }
  return out;
}

function redactFields(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = isSensitiveName(k) ? REDACTED : typeof v === 'string' ? redactText(v) : v;
  return out;
}

/**
 * The last net: one serialized JSON log line, redacted by shape and by field name. Runs on every
 * line the process writes, so it covers messages, error stacks and any field a log call adds.
 */
export function redactLogLine(line: string): string {
  return redactText(line).replace(SENSITIVE_JSON_FIELD, `$1"${REDACTED}"`);
}
