import { CanActivate, ExecutionContext, ForbiddenException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeyService, StreamTokenService } from '@rdpfix/auth';
import type { Principal, Role } from '@rdpfix/domain';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { PUBLIC_KEY, ROLES_KEY, STREAM_TOKEN_KEY } from './auth.decorators';

/** `Authorization: Bearer <key>`; anything longer than a key plus slack is not one. */
const BEARER = /^Bearer ([^\s]{1,200})$/i;

/**
 * `Authorization: Bearer <key>` on every route not marked @Public. A missing or bad key is 401;
 * a role not allowed on the route is 403. Failed authentications are limited per client address
 * (AuthFailureLimiter): over the limit, 429 with Retry-After. Tenant checks (404 for another
 * tenant's resources) happen in the services, which know what the resource is.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly failures: AuthFailureLimiter,
    private readonly streamTokens: StreamTokenService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const header = req.headers.authorization ?? '';
    const m = BEARER.exec(header);
    let principal: Principal;
    if (m) principal = this.keys.cachedPrincipal(m[1]) ?? (await this.verify(m[1], clientAddress(req), res));
    else if (!header && typeof req.query?.token === 'string' && this.reflector.getAllAndOverride<boolean>(STREAM_TOKEN_KEY, targets)) {
      // A stream token, on the one route that takes it. An API key in a URL is never accepted: it
      // is not a stream token, so it fails here like any unknown token.
      principal = await this.verifyStreamToken(req.query.token, String(req.params?.id ?? ''), clientAddress(req), res);
    } else throw this.unauthorized(res, 'send an API key as Authorization: Bearer <key>');
    req.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && principal.role !== 'admin' && !allowed.includes(principal.role)) {
      const roles = [...new Set<Role>(['admin', ...allowed])].join(', ');
      throw new ForbiddenException({ statusCode: 403, error: 'forbidden', message: `the ${principal.role} role may not do this (allowed: ${roles})` });
    }
    return true;
  }

  /** A key not verified recently: refused unseen while the address is over its failure limit. */
  private async verify(presented: string, address: string, res: Response): Promise<Principal> {
    const blocked = await this.failures.blockedForMs(address);
    if (blocked) throw tooManyFailures(res, blocked);
    const principal = await this.keys.authenticate(presented);
    if (principal) return principal;
    const over = await this.failures.fail(address);
    if (over) throw tooManyFailures(res, over);
    throw this.unauthorized(res, 'the API key is not valid or was revoked');
  }

  private async verifyStreamToken(token: string, remediationId: string, address: string, res: Response): Promise<Principal> {
    const blocked = await this.failures.blockedForMs(address);
    if (blocked) throw tooManyFailures(res, blocked);
    const principal = await this.streamTokens.principalFor(token, remediationId);
    if (principal) return principal;
    const over = await this.failures.fail(address);
    if (over) throw tooManyFailures(res, over);
    throw this.unauthorized(res, 'the stream token is not valid: unknown, expired, for another remediation, or its API key was revoked');
  }

  private unauthorized(res: Response, message: string): UnauthorizedException {
    res.setHeader('WWW-Authenticate', 'Bearer realm="rdpfix"');
    return new UnauthorizedException({ statusCode: 401, error: 'unauthorized', message });
  }
}

function tooManyFailures(res: Response, ms: number): HttpException {
  const retryAfter = Math.max(1, Math.ceil(ms / 1000));
  res.setHeader('Retry-After', String(retryAfter));
  return new HttpException(
    { statusCode: 429, error: 'too_many_auth_failures', message: `too many failed authentications from this address; retry after ${retryAfter}s` },
    429,
  );
}

/** The address the failure limit counts: Express's req.ip (honours API_TRUST_PROXY). */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
