export * from './client';
export * from './frames';
export * from './open';
export * from '../../shared/longConnection/scheduler';
export * from '../../shared/longConnection/socket';
export * from './ledger';
