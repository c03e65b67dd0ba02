export * from './types.js';
export * from './filter.js';
export * from './authorizer.js';
export * from './record.js';
export * from './host.js';
