import { ApiKeyEntity } from './api-key.entity';
import { CommandRunEntity } from './command-run.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { RemediationEntity } from './remediation.entity';
import { TimelineEventEntity } from './timeline-event.entity';

export * from './api-key.entity';
export * from './command-run.entity';
export * from './idempotency-key.entity';
export * from './remediation.entity';
export * from './timeline-event.entity';

/** Every entity of the core schema, for DataSource and TypeOrmModule registration. */
export const ENTITIES = [RemediationEntity, CommandRunEntity, TimelineEventEntity, ApiKeyEntity, IdempotencyKeyEntity];
