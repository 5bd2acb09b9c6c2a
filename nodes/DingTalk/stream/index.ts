export * from './client';
export * from './frames';
export * from './open';
export * from './scheduler';
export * from './socket';
export * from './ledger';
