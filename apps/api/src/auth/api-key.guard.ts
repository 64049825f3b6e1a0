import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeyService } from '@rdpfix/auth';
import type { Principal, Role } from '@rdpfix/domain';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';

/**
 * `Authorization: Bearer <key>` on every route not marked @Public. A missing or bad key is 401;
 * a role not allowed on the route is 403. Tenant checks (404 for another tenant's resources)
 * happen in the services, which know what the resource is.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer ([^\s]{1,200})$/i.exec(header);
    const principal = m ? await this.keys.authenticate(m[1]) : null;
    if (!principal) {
      ctx.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="rdpfix"');
      throw new UnauthorizedException({ statusCode: 401, error: 'unauthorized', message: m ? 'the API key is not valid or was revoked' : 'send an API key as Authorization: Bearer <key>' });
    }
    req.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && principal.role !== 'admin' && !allowed.includes(principal.role)) {
      throw new ForbiddenException({ statusCode: 403, error: 'forbidden', message: `the ${principal.role} role may not do this (allowed: admin, ${allowed.join(', ')})` });
    }
    return true;
  }
}
