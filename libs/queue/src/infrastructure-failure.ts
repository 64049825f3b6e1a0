/**
 * Is this error a backing service (PostgreSQL, Redis/BullMQ) being unreachable or overloaded,
 * rather than a bug or bad input? The worker reschedules such errors without spending a job
 * attempt, and the API answers them with 503 + Retry-After (issue 8, defects 5 and 9).
 * Duck-typed on purpose: pg, TypeORM, ioredis and BullMQ errors are recognised without importing
 * their classes into every lib.
 */
export interface InfrastructureFailure {
  /** What is unreachable, for messages (e.g. "the database"). */
  dependency: 'the database' | 'the queue' | 'a backing service';
  /** Seconds a client should wait before retrying. */
  retryAfterS: number;
}

/** Socket-level failures (pg and ioredis surface these as `code`). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** SQLSTATE: 08xxx connection exceptions, 57P01-03 admin shutdown / crash / cannot connect now, 53300 too many connections, 57014 statement cancelled by timeout. */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300|53400|57014)$/;
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Driver not Connected|Client has encountered a connection error|Client was closed|the database system is (starting up|shutting down|in recovery mode)|Query read timeout|connect ECONNREFUSED/i;
const REDIS_MESSAGES = /Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries per request|Command timed out|Redis connection|ready check failed|LOADING Redis is loading|READONLY|CLUSTERDOWN|Missing lock for job|Lock mismatch for job|could not renew lock/i;

export function infrastructureFailureOf(e: unknown, depth = 0): InfrastructureFailure | null {
  const err = e as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown } | null;
  if (!err || typeof err !== 'object' || depth > 3) return null;
  const driver = err.driverError as { code?: unknown } | undefined;
  const code = typeof err.code === 'string' ? err.code : typeof driver?.code === 'string' ? driver.code : '';
  const message = typeof err.message === 'string' ? err.message : '';
  const name = typeof err.name === 'string' ? err.name : '';
  if (PG_UNAVAILABLE.test(code) || PG_MESSAGES.test(message) || (name === 'QueryFailedError' && PG_UNAVAILABLE.test(code))) {
    return { dependency: 'the database', retryAfterS: 5 };
  }
  if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(message)) return { dependency: 'the queue', retryAfterS: 5 };
  if (NETWORK_CODES.has(code)) return { dependency: /redis|6379/i.test(message) ? 'the queue' : 'a backing service', retryAfterS: 5 };
  // Wrapped errors (TypeORM driverError, AggregateError from a pool, `cause` chains).
  for (const inner of [err.driverError, err.cause, ...(Array.isArray(err.errors) ? err.errors : [])]) {
    const f = inner && inner !== e ? infrastructureFailureOf(inner, depth + 1) : null;
    if (f) return f;
  }
  return null;
}
