/**
 * HOOK for the lead's merge with the engine branch (issue 8): that branch adds
 * apps/api/src/common/infrastructure-errors.ts, which decides whether an error means PostgreSQL or
 * Redis is unreachable. When merging, make this function return its answer (keeping this
 * signature); the exception filter turns a non-null answer into 503 + Retry-After in the one error
 * shape (`error: "service_unavailable"`). Until then a small classifier of connection failures
 * stands in, so an outage is a 503 rather than a 500 on this branch too.
 */
export interface InfrastructureFailure {
  /** What is unreachable, for the message (e.g. "the database"). */
  dependency: string;
  /** Seconds the client should wait before retrying. */
  retryAfterS: number;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATE: 08xxx connection exceptions, 57P01-03 shutdown / cannot connect now, 53300 too many connections. */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

export function infrastructureFailureOf(e: unknown): InfrastructureFailure | null {
  const err = e as { code?: unknown; name?: unknown; message?: unknown; driverError?: { code?: unknown } } | null;
  if (!err || typeof err !== 'object') return null;
  const code = typeof err.code === 'string' ? err.code : typeof err.driverError?.code === 'string' ? err.driverError.code : '';
  const message = typeof err.message === 'string' ? err.message : '';
  const name = typeof err.name === 'string' ? err.name : '';
  if (PG_UNAVAILABLE.test(code) || /Connection terminated|timeout exceeded when trying to connect|Driver not Connected/i.test(message)) {
    return { dependency: 'the database', retryAfterS: 5 };
  }
  if (name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable|enableOfflineQueue/i.test(message)) {
    return { dependency: 'the queue', retryAfterS: 5 };
  }
  if (NETWORK_CODES.has(code)) return { dependency: 'a backing service', retryAfterS: 5 };
  return null;
}
