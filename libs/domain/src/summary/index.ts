export * from './lang';
export * from './texts';
export * from './summary';
export * from './change-text';
export * from './timeline-text';
export * from './technical-zh';
