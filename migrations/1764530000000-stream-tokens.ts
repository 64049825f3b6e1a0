import { MigrationInterface, QueryRunner } from 'typeorm';

/** Short-lived tokens for one remediation's event stream (only their SHA-256 is stored). */
export class StreamTokens1764530000000 implements MigrationInterface {
  name = 'StreamTokens1764530000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stream_tokens (
        token_hash char(64) PRIMARY KEY,
        api_key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        remediation_id uuid NOT NULL REFERENCES remediations(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_stream_tokens_expires_at ON stream_tokens (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stream_tokens`);
  }
}
