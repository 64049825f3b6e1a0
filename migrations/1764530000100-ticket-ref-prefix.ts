import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ticketRef=ZD-77*` searches by prefix (LIKE 'ZD-77%'). A plain btree serves LIKE prefixes only
 * under the C collation; varchar_pattern_ops serves them under any collation.
 */
export class TicketRefPrefix1764530000100 implements MigrationInterface {
  name = 'TicketRefPrefix1764530000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_remediations_ticket_ref_prefix ON remediations (ticket_ref varchar_pattern_ops) WHERE ticket_ref IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_remediations_ticket_ref_prefix`);
  }
}
