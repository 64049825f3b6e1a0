import { BadRequestException } from '@nestjs/common';
import type { Principal } from '@rdpfix/domain';
import type { TenantScope } from '@rdpfix/campaigns';

/** A tenant-bound key sees only its tenant's campaigns and targets; admin, support and unbound fleet keys see all. */
export function scopeOf(p: Principal): TenantScope {
  return p.role === 'admin' || p.role === 'support' ? null : (p.tenantId ?? null);
}

/** `?preview=true|false` (absent = false); anything else names the field. */
export function parseBoolQuery(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new BadRequestException({ statusCode: 400, error: 'validation_failed', message: `${field} must be true or false`, fields: [{ field, message: 'must be true or false' }] });
}
