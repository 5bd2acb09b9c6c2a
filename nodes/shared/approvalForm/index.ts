export * from './controls';
export * from './gather';
export * from './properties';
