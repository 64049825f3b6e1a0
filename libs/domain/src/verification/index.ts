export * from './verification';
export * from './boot-time';
