export * from './script-names';
export * from './script-results';
