export * from './entities';
export * from './data-source-options';
export * from './database-admin';
export * from './persistence.module';
export * from './repositories/remediation.repository';
export * from './repositories/command-run.repository';
export * from './repositories/timeline.repository';
export { preparedQuery } from './repositories/prepared-query';
