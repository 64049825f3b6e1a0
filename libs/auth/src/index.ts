export * from './key-format';
export * from './api-key.service';
export * from './idempotency.service';
export * from './stream-tokens';
