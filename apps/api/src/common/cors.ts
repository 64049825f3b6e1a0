import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';

/**
 * CORS for the console's origins (CORS_ORIGINS, a comma list; empty = no CORS headers at all, so
 * browsers on other origins cannot call the API). No cookies are used, so no credentials mode.
 */
export function corsOptions(raw: string): CorsOptions | null {
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length === 0) return null;
  return {
    origin: origins,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'Idempotency-Key', 'Last-Event-ID', 'Accept-Language'],
    exposedHeaders: ['Location', 'Retry-After', 'Idempotent-Replayed', 'Content-Language'],
    credentials: false,
    maxAge: 600,
  };
}
