import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';

const log = new Logger('PostgreSQL');

/**
 * The pool's client class (`extra.Client`): a node-postgres client that always has an `error`
 * listener. Why: a client whose connection drops while no query runs on it emits `error`, and
 * with no listener that ends the process. TypeORM holds one such client without a listener while
 * it connects (its extension checks at startup): a PostgreSQL cut at that moment killed a worker
 * (test/faults/worker-boot-cut.e2e-spec.ts). The pool and TypeORM still see the error and drop the
 * connection; this listener only keeps the process alive and says what happened.
 */
export class ClientWithErrorListener extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (err: Error) => log.warn(`a PostgreSQL connection failed: ${err.message}`));
  }
}
