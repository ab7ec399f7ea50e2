// What every cross-file rule receives: the loaded sources, a way to turn a source path into a
// position, suggesters built once, and a sink for diagnostics. Rules are small functions.
import type { Code } from '../diagnostics/codes.js';
import { diag, type Diagnostic, type Position, type Severity } from '../diagnostics/diagnostic.js';
import type { LoadedConfig, SourceKind } from '../load/load-config.js';
import { positionOf, type PathSegment } from '../load/source-doc.js';
import type { GatewayFile } from '../schema/gateway.js';
import type { MappingsFile } from '../schema/mappings.js';
import type { PortsFile } from '../schema/ports.js';
import type { ProvidersFile } from '../schema/providers.js';
import { SuggestBudget, Suggester } from '../../util/suggest.js';

export interface RuleOptions {
  env: NodeJS.ProcessEnv;
  /** `env:` variables that are not set: a warning at validate, an error at reload. */
  unsetEnvSeverity: Severity;
}

export class RuleContext {
  readonly diagnostics: Diagnostic[] = [];
  private providerIds?: Suggester;
  private publicNames?: Suggester;
  /** One budget for every did-you-mean search of this run: thousands of misspelled names stay fast. */
  private readonly budget = new SuggestBudget();

  constructor(
    readonly config: LoadedConfig,
    readonly options: RuleOptions,
  ) {}

  get providers(): ProvidersFile | undefined {
    return this.config.providers;
  }
  get mappings(): MappingsFile | undefined {
    return this.config.mappings;
  }
  get gateway(): GatewayFile | undefined {
    return this.config.gateway;
  }
  get ports(): PortsFile | undefined {
    return this.config.ports;
  }

  at(kind: SourceKind, path: readonly PathSegment[], key = false): Position {
    const source = this.config.sources[kind];
    if (!source) return { file: kind, line: 1, column: 1 };
    return positionOf(source, path, key);
  }

  report(code: Code, severity: Severity, at: Position, message: string, suggestion?: string): void {
    this.diagnostics.push(diag(code, severity, at, message, suggestion));
  }
  error(code: Code, at: Position, message: string, suggestion?: string): void {
    this.report(code, 'error', at, message, suggestion);
  }
  warn(code: Code, at: Position, message: string, suggestion?: string): void {
    this.report(code, 'warning', at, message, suggestion);
  }

  suggestProvider(id: string): string | undefined {
    this.providerIds ??= this.suggester(Object.keys(this.providers?.providers ?? {}));
    return this.providerIds.suggest(id);
  }
  /** Public names and aliases together: anything a client may put in "model". */
  suggestPublicName(name: string): string | undefined {
    this.publicNames ??= this.suggester([...Object.keys(this.mappings?.models ?? {}), ...Object.keys(this.mappings?.aliases ?? {})]);
    return this.publicNames.suggest(name);
  }
  /** A did-you-mean search over these candidates, drawing on this run's shared budget. */
  suggester(candidates: Iterable<string>): Suggester {
    return new Suggester(candidates, this.budget);
  }
}

export type Rule = (ctx: RuleContext) => void;

export function didYouMean(s: string | undefined): string {
  return s === undefined ? '' : `; did you mean '${s}'?`;
}
