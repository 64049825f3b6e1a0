import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys with roles and tenants, and Idempotency-Keys (issue 4). */
export class ApiKeys1764057650000 implements MigrationInterface {
  name = 'ApiKeys1764057650000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        prefix varchar(16) NOT NULL UNIQUE,
        secret_hash char(64) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin','support','console','fleet')),
        tenant_id varchar(64),
        default_callback_url varchar(2048),
        webhook_secret varchar(100) NOT NULL,
        rate_limit_per_second int CHECK (rate_limit_per_second > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT ck_api_keys_console_tenant CHECK ((role = 'console') = (tenant_id IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        api_key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        idempotency_key varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        remediation_id uuid NOT NULL REFERENCES remediations(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (api_key_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE api_keys`);
  }
}
