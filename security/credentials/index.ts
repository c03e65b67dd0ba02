export * from './record.js';
export * from './store.js';
