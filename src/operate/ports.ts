// The ports registry against this machine: which registered ports are listening and by whom,
// required ports that are not, and conflicts inside the registry. It never touches a process.
import type { PortsFile } from '../config/schema/ports.js';
import type { Listener } from '../deploy/runtime/listeners.js';

export interface PortRow {
  name: string;
  port: number;
  required: boolean;
  description?: string;
  listening: boolean;
  holders: { address: string; pid?: number; process?: string }[];
}

export interface PortsReport {
  ports: PortRow[];
  /** Required ports nobody listens on. */
  down: string[];
  conflicts: { port: number; names: string[]; reason: string }[];
  /** For --port N: that port whether registered or not. */
  query?: { port: number; registered: string[]; reserved: boolean; listening: boolean; holders: PortRow['holders'] };
  ok: boolean;
}

export function portsReport(registry: PortsFile, live: readonly Listener[], opts: { required?: boolean; port?: number }): PortsReport {
  const holdersOf = (port: number) =>
    live
      .filter((l) => l.port === port)
      .map((l) => ({ address: l.address, ...(l.pid !== undefined ? { pid: l.pid } : {}), ...(l.process ? { process: l.process } : {}) }));
  const reserved = new Set(registry.reserved ?? []);
  const all: PortRow[] = Object.entries(registry.ports).map(([name, e]) => {
    const holders = holdersOf(e.port);
    return {
      name,
      port: e.port,
      required: e.required ?? false,
      ...(e.description ? { description: e.description } : {}),
      listening: holders.length > 0,
      holders,
    };
  });
  const byPort = new Map<number, string[]>();
  for (const r of all) byPort.set(r.port, [...(byPort.get(r.port) ?? []), r.name]);
  const conflicts: PortsReport['conflicts'] = [];
  for (const [port, names] of byPort) if (names.length > 1) conflicts.push({ port, names, reason: 'registered more than once' });
  for (const r of all) if (reserved.has(r.port)) conflicts.push({ port: r.port, names: [r.name], reason: 'in the reserved list' });
  let rows = all.sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
  if (opts.required) rows = rows.filter((r) => r.required);
  if (opts.port !== undefined) rows = rows.filter((r) => r.port === opts.port);
  const down = rows.filter((r) => r.required && !r.listening).map((r) => r.name);
  const query =
    opts.port === undefined
      ? undefined
      : {
          port: opts.port,
          registered: byPort.get(opts.port) ?? [],
          reserved: reserved.has(opts.port),
          listening: holdersOf(opts.port).length > 0,
          holders: holdersOf(opts.port),
        };
  return { ports: rows, down, conflicts, ...(query ? { query } : {}), ok: down.length === 0 && conflicts.length === 0 };
}
