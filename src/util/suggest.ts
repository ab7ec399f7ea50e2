// "Did you mean" search. Registries can hold tens of thousands of names and a broken file can
// produce thousands of unknown names, so one lookup must not be a full edit-distance scan:
// candidates are bucketed by length, and distances are computed in a band of width 2k+1 with a
// cut-off. Even so, n unknown names against n candidates of one length is n² comparisons (2,000
// misspelled backend models took 18 s), so the work of one run is capped: a shared budget of
// DP cells, after which further lookups offer no suggestion. The limit is stated in docs/ci.md.

/** DP cells one validate may spend on suggestions (an upper bound per comparison; about 0.25 s at most). */
export const SUGGEST_BUDGET_CELLS = 40_000_000;

/** Work left for suggestions; shared by every Suggester of one run. */
export class SuggestBudget {
  constructor(public cells = SUGGEST_BUDGET_CELLS) {}
  get exhausted(): boolean {
    return this.cells <= 0;
  }
}

export class Suggester {
  private readonly byLength = new Map<number, string[]>();
  private readonly lower = new Map<string, string>();
  private readonly cache = new Map<string, string | undefined>();
  private size = 0;

  constructor(
    candidates: Iterable<string>,
    private readonly budget: SuggestBudget = new SuggestBudget(),
  ) {
    for (const c of candidates) {
      const bucket = this.byLength.get(c.length);
      if (bucket) bucket.push(c);
      else this.byLength.set(c.length, [c]);
      const l = c.toLowerCase();
      if (!this.lower.has(l)) this.lower.set(l, c);
      this.size++;
    }
    for (const bucket of this.byLength.values()) bucket.sort();
  }

  /** The closest candidate within a distance that scales with the word, or undefined. */
  suggest(word: string): string | undefined {
    if (this.cache.has(word)) return this.cache.get(word);
    const result = this.search(word);
    this.cache.set(word, result);
    return result;
  }

  private search(word: string): string | undefined {
    const caseOnly = this.lower.get(word.toLowerCase());
    if (caseOnly !== undefined && caseOnly !== word) return caseOnly;
    if (this.budget.exhausted) return undefined;
    const max = maxDistance(word.length);
    let best: string | undefined;
    let bestD = max + 1;
    // Nearer lengths first: they can only be closer, which tightens the bound sooner.
    for (let delta = 0; delta <= max && delta < bestD; delta++) {
      for (const len of delta === 0 ? [word.length] : [word.length - delta, word.length + delta]) {
        const bucket = this.byLength.get(len);
        if (!bucket) continue;
        const cost = Math.min(word.length, len) * (2 * max + 1) + 1;
        for (const c of bucket) {
          if (c === word) continue;
          // A search cut short could name a worse candidate than the best: exact or nothing.
          if ((this.budget.cells -= cost) < 0) return undefined;
          const d = boundedDistance(word, c, Math.min(bestD, max));
          if (d <= max && (d < bestD || (d === bestD && best !== undefined && c < best))) {
            bestD = d;
            best = c;
          }
        }
      }
    }
    // Prefix match as a last resort ("qwen2.5-coder" for "qwen2.5-coder:7b").
    if (best === undefined && word.length >= 4) {
      if ((this.budget.cells -= this.size) < 0) return undefined;
      for (const bucket of this.byLength.values()) {
        for (const c of bucket) if (c !== word && (c.startsWith(word) || word.startsWith(c))) return c;
      }
    }
    return best;
  }
}

export function suggestOne(word: string, candidates: Iterable<string>, budget?: SuggestBudget): string | undefined {
  return new Suggester(candidates, budget).suggest(word);
}

function maxDistance(len: number): number {
  if (len <= 3) return 1;
  if (len <= 6) return 2;
  return Math.min(4, Math.ceil(len / 4));
}

/**
 * Optimal-string-alignment distance (a swap of neighbours counts once), or limit+1 once above
 * limit. Only the band |i - j| <= limit is computed: cells outside it exceed the limit anyway.
 */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  const big = limit + 1;
  let prev2 = new Array<number>(m + 1).fill(big);
  let prev = new Array<number>(m + 1).fill(big);
  let cur = new Array<number>(m + 1).fill(big);
  for (let j = 0; j <= Math.min(m, limit); j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - limit);
    const hi = Math.min(m, i + limit);
    cur[lo - 1] = lo - 1 === 0 ? i : big;
    let rowMin = lo - 1 === 0 ? i : big;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const cost = ai === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      cur[j] = v > big ? big : v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = big;
    if (rowMin > limit) return big;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  const d = prev[m]!;
  return d > limit ? big : d;
}
