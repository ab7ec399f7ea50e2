// The version comes from package.json, the single place it is written (esbuild inlines it).
import pkg from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'aibackend';
export const TOOL_VERSION: string = pkg.version;
