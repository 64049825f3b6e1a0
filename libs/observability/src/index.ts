export * from './logging.module';
export * from './metrics';
export * from './redaction';
export * from './health';
export * from './worker-metrics';
export * from './node-version-warning';
