export * from './events.module';
export * from './events-stream.options';
export * from './remediation-events.controller';
export * from './remediation-events.service';
export * from './last-event-id';
export * from './sse';
