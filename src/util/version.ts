// The version comes from package.json, the single place it is written (esbuild inlines it).
import pkg from '../../package.json' with { type: 'json' };

export const TOOL_NAME = 'aibackend';
export const TOOL_VERSION: string = pkg.version;
/** The project's public home (package.json "homepage"), when it has one: SARIF links to it. */
export const PROJECT_URL: string | undefined = (pkg as { homepage?: string }).homepage?.replace(/\/+$/, '') || undefined;
