import { DynamicModule, Module } from '@nestjs/common';
import { EVENTS_STREAM_OPTIONS, EventsStreamOptions } from './events-stream.options';
import { RemediationEventsController } from './remediation-events.controller';
import { RemediationEventsService } from './remediation-events.service';

/** GET /v1/remediations/:id/events. Needs PersistenceModule (global). */
@Module({
  controllers: [RemediationEventsController],
  providers: [RemediationEventsService],
  exports: [RemediationEventsService],
})
export class EventsModule {
  /** Same module with other timings (tests). */
  static withOptions(opts: Partial<EventsStreamOptions>): DynamicModule {
    return {
      module: EventsModule,
      providers: [{ provide: EVENTS_STREAM_OPTIONS, useValue: opts }],
    };
  }
}
