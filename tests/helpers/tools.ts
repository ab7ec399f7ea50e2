// Real tools some tests need (promtool, prometheus, haproxy, chromium...): found on PATH (or in
// /usr/sbin, where Debian puts daemons); required in CI, where .ci/run installs them, and skipped
// with a warning elsewhere.
import { existsSync } from 'node:fs';
import path from 'node:path';

export function findTool(...names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin'];
  return names.flatMap((n) => dirs.map((d) => path.join(d, n))).find((p) => existsSync(p));
}

/** The tool's path; throws in CI when it is missing (and `needed`), warns and returns undefined elsewhere. */
export function requireTool(names: string | string[], install: string, needed = true): string | undefined {
  const list = Array.isArray(names) ? names : [names];
  const found = findTool(...list);
  if (!found && needed && (process.env.CI || process.env.AIBACKEND_REQUIRE_GATEWAY))
    throw new Error(`${list[0]} is not installed (${install}); CI requires it`);
  if (!found) console.warn(`skipping the tests that need ${list[0]}: ${install}`);
  return found;
}
