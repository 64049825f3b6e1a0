import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

export * from './webhook-attempt.entity';
export * from './webhook-delivery.entity';
export * from './webhook-delivery.repository';

/** For the DataSource's `entities` (next to ENTITIES of @rdpfix/persistence). */
export const WEBHOOK_ENTITIES = [WebhookDeliveryEntity, WebhookAttemptEntity];
