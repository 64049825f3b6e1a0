import { randomBytes } from 'node:crypto';

/** A JD Cloud error: HTTP status = `error.code`, plus the string `error.status` (DOC-ERR). */
export class JdError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string) => new JdError(400, 'INVALID_ARGUMENT', message);
export const notFound = (message: string) => new JdError(404, 'NOT_FOUND', message);

/** Request ids look like the real gateway's: 32 lowercase alphanumerics. */
export function newRequestId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** `yyyy-MM-dd HH:mm:ss` in China time (UTC+8), the form JD consoles show (API format not verified). */
export function jdTime(ms: number | null): string {
  if (ms === null) return '';
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
