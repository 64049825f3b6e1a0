import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';

/**
 * Runs a terminus check and answers 200 with its result, or 503 (never 500) with the result in
 * the service's one error shape plus terminus's details, so a probe and a human both see which
 * dependency is down.
 */
export async function answerHealth(res: Response, run: () => Promise<HealthCheckResult>): Promise<unknown> {
  try {
    return await run();
  } catch (err) {
    const result: Partial<HealthCheckResult> = err instanceof ServiceUnavailableException ? (err.getResponse() as Partial<HealthCheckResult>) : { status: 'error', error: { check: { status: 'down', message: (err as Error).message } } };
    const down = Object.keys(result.error ?? {});
    res.status(503).setHeader('Retry-After', '5');
    // The one error shape, with terminus's result as its documented context key `checks`.
    return { statusCode: 503, error: 'not_ready', message: `not ready: ${down.join(', ') || 'a check failed'} down`, checks: result };
  }
}
