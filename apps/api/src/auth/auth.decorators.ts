import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from '@rdpfix/domain';

export const PUBLIC_KEY = 'rdpfix:public';
export const ROLES_KEY = 'rdpfix:roles';
export const STREAM_TOKEN_KEY = 'rdpfix:stream-token';

/** No API key needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The roles allowed on a route; admin is always allowed. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal);

/**
 * The route also accepts a stream token as `?token=` (for browsers' EventSource, which cannot send
 * headers), scoped to the remediation in the route's `:id`. Only the remediation event stream.
 */
export const AcceptsStreamToken = () => SetMetadata(STREAM_TOKEN_KEY, true);
