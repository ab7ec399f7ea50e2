// The load generator's public surface, for the bench/ scripts that measure it.
export { figures, run } from './runner.js';
export { makeTarget } from './request.js';
