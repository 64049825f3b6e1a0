export * from './causes';
export * from './planner';
