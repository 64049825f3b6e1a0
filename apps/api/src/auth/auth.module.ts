import { Global, Module } from '@nestjs/common';
import { ApiKeyService, IdempotencyService, StreamTokenService } from '@rdpfix/auth';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { RATE_LIMIT_REDIS, rateLimitRedisProvider } from './rate-limit.guard';

/**
 * One ApiKeyService per API process (its caches and revocation notices are shared by the guard,
 * the key admin endpoints and the event streams), the failure limiter and their Redis client.
 */
@Global()
@Module({
  providers: [ApiKeyService, IdempotencyService, StreamTokenService, AuthFailureLimiter, rateLimitRedisProvider],
  exports: [ApiKeyService, IdempotencyService, StreamTokenService, AuthFailureLimiter, RATE_LIMIT_REDIS],
})
export class AuthModule {}
