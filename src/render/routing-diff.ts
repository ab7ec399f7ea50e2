// `aibackend diff` for people: plain text for a terminal or the hook, Markdown for a pull
// request comment or a GitHub step summary (a table per changed name, collapsed when long).
// JSON is the report object itself.
import type { ChalkInstance } from 'chalk';
import type { NameChange, RouteRef } from '../routing/compare-routing.js';
import type { NameRouting } from '../routing/routing-model.js';
import type { RoutingReport } from '../routing/routing-report.js';

const pct = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)}%`;
const route = (r: RouteRef) => `${r.provider}/${r.backend_model} (${pct(r.share)})`;
const chain = (names: string[]) => (names.length ? `[${names.join(', ')}]` : '(none)');
const short = (c?: string) => (c ? c.slice(0, 7) : '');
const value = (v?: string) => (v === undefined ? '(unset)' : v);

function where(r: RoutingReport): string {
  const base = r.base.commit && r.base.commit !== r.base.rev ? `${r.base.rev} (${short(r.base.commit)})` : r.base.rev;
  return `${base} → ${r.head}`;
}

/** One line per fact of a changed name: [what, before, after]. */
function rows(c: NameChange): [string, string, string][] {
  const out: [string, string, string][] = [];
  if (c.alias_of && c.alias_of.before !== c.alias_of.after) out.push(['alias of', value(c.alias_of.before), value(c.alias_of.after)]);
  if (c.moved) out.push(['deployment', route(c.moved.from), route(c.moved.to)]);
  for (const r of c.routes_removed) out.push(['route removed', route(r), '']);
  for (const r of c.routes_added) out.push(['route added', '', route(r)]);
  for (const s of c.shares) out.push([`share ${s.route}`, pct(s.before), pct(s.after)]);
  for (const u of c.base_urls) out.push([`base_url of ${u.provider}`, value(u.before), value(u.after)]);
  if (c.mode) out.push(['mode', c.mode.before, c.mode.after]);
  if (c.fallbacks) out.push(['fallbacks', chain(c.fallbacks.before), chain(c.fallbacks.after)]);
  return out;
}

function addedLine(n: NameRouting): string {
  const via = n.alias_of ? ` (alias of ${n.alias_of})` : '';
  const routes = n.routes.map((r) => `${r.provider}/${r.backend_model} ${pct(r.share)}`).join(', ');
  return `${n.name}${via}: ${routes}${n.fallbacks.length ? `; fallbacks ${chain(n.fallbacks)}` : ''}`;
}

function baseNote(r: RoutingReport): string | undefined {
  if (!r.base.sources) return `${r.base.rev} has no config sources: every name is new`;
  if (!r.base.valid)
    return `the config at ${r.base.rev} does not compile (${r.base.errors} error${r.base.errors === 1 ? '' : 's'}): compared with nothing`;
  return r.base.note;
}

export function renderRoutingText(r: RoutingReport, s: ChalkInstance, opts: { short?: boolean } = {}): string {
  const d = r.changes;
  const lines: string[] = [];
  const note = baseNote(r);
  if (note) lines.push(s.yellow(`note: ${note}`));
  if (r.unchanged_routing) {
    lines.push(
      `${s.green('✔')} no routing change from ${where(r)}${d.unchanged ? ` (${d.unchanged} name${d.unchanged === 1 ? '' : 's'} route as before)` : ''}`,
    );
    return lines.join('\n');
  }
  lines.push(s.bold(`Routing changes from ${where(r)}:`));
  for (const n of d.added) lines.push(`  ${s.green('+')} ${addedLine(n)}`);
  for (const n of d.removed) lines.push(`  ${s.red('-')} ${n}`);
  for (const x of d.renamed) lines.push(`  ${s.cyan('→')} ${x.from} renamed to ${x.to} (same routing)`);
  for (const c of d.changed) {
    lines.push(
      `  ${s.yellow('~')} ${c.name}${c.alias_of?.after && c.alias_of.before === c.alias_of.after ? s.dim(` (alias of ${c.alias_of.after})`) : ''}`,
    );
    const rs = rows(c);
    const width = Math.max(...rs.map((x) => x[0].length));
    for (const [what, before, after] of opts.short ? rs.slice(0, 4) : rs) {
      lines.push(`      ${what.padEnd(width)}  ${before || s.dim('-')} ${s.dim('→')} ${after || s.dim('-')}`);
    }
    if (opts.short && rs.length > 4) lines.push(s.dim(`      … ${rs.length - 4} more (aibackend diff)`));
  }
  if (d.settings.length) {
    lines.push(s.bold('Settings of every name:'));
    for (const x of d.settings) lines.push(`  ${x.key}: ${value(x.before)} ${s.dim('→')} ${value(x.after)}`);
  }
  if (d.unchanged) lines.push(s.dim(`${d.unchanged} other name${d.unchanged === 1 ? '' : 's'} route as before.`));
  return lines.join('\n');
}

const code = (t: string) => (t ? `\`${t.replace(/`/g, "'").replace(/\|/g, '\\|')}\`` : '');
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown for a PR comment or $GITHUB_STEP_SUMMARY. */
export function renderRoutingMarkdown(r: RoutingReport): string {
  const d = r.changes;
  const out: string[] = [`### Routing changes: ${cell(where(r))}`, ''];
  const note = baseNote(r);
  if (note) out.push(`> ${cell(note)}`, '');
  if (r.unchanged_routing) {
    out.push(`No routing change${d.unchanged ? `: ${d.unchanged} name${d.unchanged === 1 ? '' : 's'} route as before.` : '.'}`);
    return `${out.join('\n')}\n`;
  }
  if (d.added.length || d.removed.length || d.renamed.length) {
    out.push('| name | change |', '| --- | --- |');
    for (const n of d.added) out.push(`| ${code(n.name)} | added: ${cell(addedLine(n).slice(n.name.length + 2))} |`);
    for (const n of d.removed) out.push(`| ${code(n)} | removed |`);
    for (const x of d.renamed) out.push(`| ${code(x.to)} | renamed from ${code(x.from)} (same routing) |`);
    out.push('');
  }
  for (const c of d.changed) {
    const rs = rows(c);
    const table = [
      '| | before | after |',
      '| --- | --- | --- |',
      ...rs.map(([w, b, a]) => `| ${cell(w)} | ${cell(b) || '–'} | ${cell(a) || '–'} |`),
    ];
    const title = `${code(c.name)}${c.alias_of?.after && c.alias_of.before === c.alias_of.after ? ` (alias of ${code(c.alias_of.after)})` : ''}`;
    if (rs.length > 6) out.push('<details>', `<summary>${title}: ${rs.length} changes</summary>`, '', ...table, '', '</details>', '');
    else out.push(`#### ${title}`, '', ...table, '');
  }
  if (d.settings.length) {
    out.push('#### Settings of every name', '', '| setting | before | after |', '| --- | --- | --- |');
    for (const x of d.settings) out.push(`| ${code(x.key)} | ${code(value(x.before))} | ${code(value(x.after))} |`);
    out.push('');
  }
  if (d.unchanged) out.push(`${d.unchanged} other name${d.unchanged === 1 ? '' : 's'} route as before.`);
  return `${out.join('\n').trimEnd()}\n`;
}
