export * from './constant-time.js';
export * from './plain.js';
export * from './oauthbearer.js';
