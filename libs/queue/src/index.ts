export * from './queue-names';
export * from './redis-connection';
export * from './queue.module';
export * from './remediation-dispatcher';
export * from './periodic-task';
export * from './infrastructure-failure';
