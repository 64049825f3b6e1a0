export * from './lang';
export * from './texts';
export * from './summary';
