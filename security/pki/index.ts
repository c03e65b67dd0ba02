export * from './certificates.js';
export * from './pkcs12.js';
export * from './dev-pki.js';
export * from './certs-command.js';
export * from './subject.js';
