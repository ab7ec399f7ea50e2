// Parsers of flag values. A value that does not parse is a usage error (exit 2), said by commander
// with the flag's name.
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { parseDuration } from '../../util/duration.js';

/** A duration in seconds: `5`, `5s`, `1.5s` or `500ms`. Every --timeout means seconds. */
export function seconds(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?\s*$/.exec(v);
  const n = m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : NaN;
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a duration greater than 0: seconds (5, 1.5, 5s) or milliseconds (500ms)');
  return n;
}

/** An age or a window, in milliseconds: 500ms, 30s, 10m, 2h, 1d. */
export function age(v: string): number {
  try {
    const ms = parseDuration(v);
    if (ms > 0) return ms;
  } catch {
    // said below
  }
  throw new InvalidArgumentError('expected a duration such as 30s, 10m, 2h or 1d');
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function concurrencyList(v: string): number[] {
  const list = v.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError('expected whole numbers of at least 1, comma-separated, e.g. 1,2,4,8');
  return list;
}

export function fraction(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.05');
  return n;
}

export function portNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

/** The flags a spec's command parses, as the type commander infers from the option definitions. */
export type FlagsOf<Spec extends () => { opts(): unknown }> = ReturnType<ReturnType<Spec>['opts']>;
