export * from './script-names';
export * from './script-results';
export * from './restart-check';
