export * from './credentialsHelper';
export * from './engine';
export * from './webhook';
export * from './pickers';
export * from './hooks';
