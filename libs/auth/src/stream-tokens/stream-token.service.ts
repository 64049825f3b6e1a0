import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import { DataSource, LessThan } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import type { Principal } from '@rdpfix/domain';
import { ApiKeyService } from '../api-key.service';
import { StreamTokenEntity } from './stream-token.entity';

/** `rdst_` + 43 base64url characters (32 random bytes): never the shape of an API key. */
export const STREAM_TOKEN_PATTERN = /^rdst_[A-Za-z0-9_-]{43}$/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Issues and checks stream tokens. A token is valid for one remediation, until it expires
 * (STREAM_TOKEN_TTL_S), and only while the key that asked for it is not revoked; it carries that
 * key's role and tenant (read fresh on every use), so it can never see more than the key.
 */
@Injectable()
export class StreamTokenService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly keys: ApiKeyService,
  ) {}

  private get repo() {
    return this.ds.getRepository(StreamTokenEntity);
  }

  async issue(keyId: string, remediationId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = `rdst_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + this.config.STREAM_TOKEN_TTL_S * 1000);
    await this.repo.insert({ tokenHash: sha256(token), apiKeyId: keyId, remediationId, expiresAt });
    // Expired tokens are useless: each issue sweeps a few (the index makes it cheap).
    await this.ds.query(`DELETE FROM stream_tokens WHERE token_hash IN (SELECT token_hash FROM stream_tokens WHERE expires_at < now() - interval '1 minute' LIMIT 100)`);
    return { token, expiresAt };
  }

  /**
   * The principal a token acts for on `remediationId`'s event stream; null when the token is
   * malformed, unknown, expired, for another remediation, or its key was revoked.
   */
  async principalFor(token: string, remediationId: string): Promise<Principal | null> {
    if (!STREAM_TOKEN_PATTERN.test(token)) return null;
    const hash = sha256(token);
    const row = await this.repo.findOne({ where: { tokenHash: hash } });
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) return null;
    if (row.expiresAt.getTime() <= Date.now() || row.remediationId !== remediationId) return null;
    if (!(await this.keys.isActive(row.apiKeyId))) return null;
    const key = await this.keys.findById(row.apiKeyId);
    if (!key || key.revokedAt) return null;
    return { keyId: key.id, name: key.name, role: key.role, tenantId: key.tenantId, defaultCallbackUrl: key.defaultCallbackUrl, rateLimitPerSecond: key.rateLimitPerSecond };
  }

  /** Drops expired tokens (tests, maintenance). */
  async purgeExpired(): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThan(new Date()) })).affected ?? 0;
  }
}
