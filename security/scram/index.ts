export * from './errors.js';
export * from './formatter.js';
export * from './messages.js';
export * from './server.js';
export * from './client.js';
