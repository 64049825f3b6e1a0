export * from './command-channel.port';
export * from './channel-errors';
export * from './channel-budget';
export * from './ssm/ssm-status';
export * from './ssm/ssm-command-channel';
export * from './inventory/inventory.port';
export * from './inventory/http-inventory';
export * from './channel.module';
