export * from './stream-token.entity';
export * from './stream-token.service';
