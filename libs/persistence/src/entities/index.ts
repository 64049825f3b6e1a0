import { CommandRunEntity } from './command-run.entity';
import { RemediationEntity } from './remediation.entity';
import { TimelineEventEntity } from './timeline-event.entity';

export * from './command-run.entity';
export * from './remediation.entity';
export * from './timeline-event.entity';

/** Every entity, for DataSource and TypeOrmModule registration. */
export const ENTITIES = [RemediationEntity, CommandRunEntity, TimelineEventEntity];
