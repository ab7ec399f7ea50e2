export * from './compile.js';
export * from './litellm-config.js';
export { litellmModel, envToLiteLLM } from './compile-models.js';
