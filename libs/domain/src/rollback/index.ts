export * from './rollback-plan';
