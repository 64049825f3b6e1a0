export * from './quser';
