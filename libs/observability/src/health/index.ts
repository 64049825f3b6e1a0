export * from './readiness-checks';
export * from './health-response';
