export * from './common.js';
export * from './providers.js';
export * from './mappings.js';
export * from './gateway.js';
export * from './ports.js';
