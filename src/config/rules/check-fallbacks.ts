// Fallbacks must name known public names (or aliases), never the name itself, and never loop.
import type { RuleContext } from './context.js';
import { didYouMean } from './context.js';

export function checkFallbacks(ctx: RuleContext): void {
  const models = ctx.mappings?.models;
  if (!models) return;
  const aliases = ctx.mappings?.aliases ?? {};
  const resolve = (n: string): string | undefined =>
    Object.hasOwn(models, n) ? n : Object.hasOwn(aliases, n) && Object.hasOwn(models, aliases[n]!) ? aliases[n] : undefined;
  const edges = new Map<string, { to: string; index: number }[]>();

  for (const [name, mapping] of Object.entries(models)) {
    const out: { to: string; index: number }[] = [];
    const seen = new Set<string>();
    (mapping.fallbacks ?? []).forEach((fb, i) => {
      const at = () => ctx.at('mappings', ['models', name, 'fallbacks', i]);
      const target = resolve(fb);
      if (target === undefined) {
        const s = ctx.suggestPublicName(fb);
        ctx.error('unknown-fallback', at(), `'${name}' falls back to unknown public name '${fb}'${didYouMean(s)}`, s);
        return;
      }
      if (target === name) {
        ctx.error('self-fallback', at(), `'${name}' falls back to itself${fb !== name ? ` (through alias '${fb}')` : ''}`);
        return;
      }
      if (seen.has(target)) {
        ctx.error('duplicate-fallback', at(), `'${name}' lists fallback '${fb}' more than once`);
        return;
      }
      seen.add(target);
      out.push({ to: target, index: i });
    });
    if (out.length > 0) edges.set(name, out);
  }

  for (const component of stronglyConnected(edges)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const cycle = findCycle(start, edges, members);
    const first = edges.get(start)!.find((e) => e.to === cycle[1])!;
    ctx.error('fallback-cycle', ctx.at('mappings', ['models', start, 'fallbacks', first.index]), `fallback cycle: ${cycle.join(' -> ')}`);
  }
}

/** Tarjan's algorithm, iterative so that long fallback chains cannot overflow the stack. */
function stronglyConnected(edges: Map<string, { to: string }[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = edges.get(frame.node) ?? [];
      if (frame.next < succ.length) {
        const to = succ[frame.next++]!.to;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const comp: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          comp.push(n);
        } while (n !== frame.node);
        out.push(comp);
      }
    }
  }
  return out;
}

/** Shortest path from start back to start inside one component, for a readable message. */
function findCycle(start: string, edges: Map<string, { to: string }[]>, members: Set<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q]!;
    for (const { to } of edges.get(n) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const between: string[] = [];
        for (let c: string | undefined = n; c !== undefined && c !== start; c = prev.get(c)) between.unshift(c);
        return [start, ...between, start];
      }
      if (!prev.has(to)) {
        prev.set(to, n);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
