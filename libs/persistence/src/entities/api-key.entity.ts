import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@rdpfix/domain';

/** An API key. Only a SHA-256 of the secret part is stored; the key is shown once, at creation. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  /** Public lookup part of the key (`rdpfix_<prefix>_<secret>`). */
  @Column({ type: 'varchar', length: 16, unique: true }) prefix: string;
  @Column({ name: 'secret_hash', type: 'char', length: 64 }) secretHash: string;
  @Column({ type: 'varchar', length: 16 }) role: Role;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true }) tenantId: string | null;
  @Column({ name: 'default_callback_url', type: 'varchar', length: 2048, nullable: true }) defaultCallbackUrl: string | null;
  /** Standard Webhooks signing secret (whsec_…) for this key's callbacks; never returned after creation. */
  @Column({ name: 'webhook_secret', type: 'varchar', length: 100 }) webhookSecret: string;
  @Column({ name: 'rate_limit_per_second', type: 'int', nullable: true }) rateLimitPerSecond: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
}
