import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fleet key may be bound to a tenant (its campaigns then see only that tenant's instances).
 * Console keys must still have a tenant; admin and support keys never have one.
 */
export class TenantFleetKeys1764400000200 implements MigrationInterface {
  name = 'TenantFleetKeys1764400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT ck_api_keys_console_tenant`);
    await q.query(
      `ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_tenant
         CHECK ((role <> 'console' OR tenant_id IS NOT NULL) AND (role IN ('console','fleet') OR tenant_id IS NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping the tenant of a tenant-bound fleet key would widen what it sees: revoke it instead.
    await q.query(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()), tenant_id = NULL WHERE role = 'fleet' AND tenant_id IS NOT NULL`);
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT ck_api_keys_tenant`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_console_tenant CHECK ((role = 'console') = (tenant_id IS NOT NULL))`);
  }
}
