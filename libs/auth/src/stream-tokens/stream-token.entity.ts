import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A short-lived token for one remediation's event stream (issue 11): browsers' EventSource cannot
 * send an Authorization header, and the API key itself never goes in a URL. Only the token's
 * SHA-256 is stored; it acts with the rights of the key that asked for it, while that key lives.
 */
@Entity({ name: 'stream_tokens' })
@Index('ix_stream_tokens_expires_at', ['expiresAt'])
export class StreamTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 }) tokenHash: string;
  @Column({ name: 'api_key_id', type: 'uuid' }) apiKeyId: string;
  @Column({ name: 'remediation_id', type: 'uuid' }) remediationId: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
}

export const AUTH_ENTITIES = [StreamTokenEntity];
