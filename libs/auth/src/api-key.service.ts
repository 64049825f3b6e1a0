import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AppConfig } from '@rdpfix/config';
import { ApiKeyEntity } from '@rdpfix/persistence';
import { generateApiKey, generateWebhookSecret, parseApiKey, secretMatches } from './key-format';
import { Principal, Role } from '@rdpfix/domain';

export interface CreateKeyInput {
  name: string;
  role: Role;
  tenantId?: string | null;
  defaultCallbackUrl?: string | null;
  rateLimitPerSecond?: number | null;
}

export class InvalidKeyInputError extends Error {}

/** Creates, lists, revokes and verifies API keys. Verified keys are cached briefly per process. */
@Injectable()
export class ApiKeyService {
  private readonly cache = new Map<string, { entity: ApiKeyEntity; until: number }>();
  /** Keys already verified (full key -> principal), so a hot key is not hashed on every request. */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
  ) {}

  private get repo() {
    return this.ds.getRepository(ApiKeyEntity);
  }

  /** Returns the plaintext key and webhook secret once; only their hash / the secret are stored. */
  async create(input: CreateKeyInput): Promise<{ key: string; webhookSecret: string; record: ApiKeyEntity }> {
    if (input.role === 'console' && !input.tenantId) throw new InvalidKeyInputError('a console key must be bound to a tenant (tenantId)');
    // A fleet key may be bound to a tenant: its campaigns then see only that tenant (issue 10).
    if (input.role !== 'console' && input.role !== 'fleet' && input.tenantId) throw new InvalidKeyInputError('only console and fleet keys are bound to a tenant');
    const { key, prefix, secretHash } = generateApiKey();
    const webhookSecret = generateWebhookSecret();
    const record = await this.repo.save(
      this.repo.create({
        name: input.name,
        role: input.role,
        prefix,
        secretHash,
        tenantId: input.tenantId ?? null,
        defaultCallbackUrl: input.defaultCallbackUrl ?? null,
        rateLimitPerSecond: input.rateLimitPerSecond ?? null,
        webhookSecret,
      }),
    );
    return { key, webhookSecret, record };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.repo.find({ order: { createdAt: 'DESC' } });
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  async revoke(id: string): Promise<ApiKeyEntity | null> {
    const res = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    const key = await this.findById(id);
    if (key) this.cache.delete(key.prefix);
    this.verified.clear();
    return res.affected || key?.revokedAt ? key : null;
  }

  /** The principal for a presented key, or null when it is unknown, malformed or revoked. */
  async authenticate(presented: string): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.verified.get(presented);
    if (hit && hit.until > now) return hit.principal;
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    let entity = this.cache.get(parsed.prefix);
    if (!entity || entity.until < now) {
      const found = await this.repo.findOne({ where: { prefix: parsed.prefix } });
      if (!found) return null;
      entity = { entity: found, until: now + this.config.AUTH_CACHE_MS };
      this.cache.set(parsed.prefix, entity);
      void this.repo.update({ id: found.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    }
    const e = entity.entity;
    if (e.revokedAt || !secretMatches(parsed.secret, e.secretHash)) return null;
    const principal: Principal = {
      keyId: e.id,
      name: e.name,
      role: e.role,
      tenantId: e.tenantId,
      defaultCallbackUrl: e.defaultCallbackUrl,
      rateLimitPerSecond: e.rateLimitPerSecond,
    };
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(presented, { principal, until: entity.until });
    return principal;
  }

  /** The webhook signing secret of a key (for the webhook sender; never exposed by the API). */
  async webhookSecretOf(keyId: string): Promise<string | null> {
    const k = await this.repo.findOne({ where: { id: keyId }, select: { id: true, webhookSecret: true } });
    return k?.webhookSecret ?? null;
  }
}

export function apiKeyView(k: ApiKeyEntity) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    tenantId: k.tenantId,
    prefix: k.prefix,
    defaultCallbackUrl: k.defaultCallbackUrl,
    rateLimitPerSecond: k.rateLimitPerSecond,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}
