// From what providers serve, the change to providers.yaml that registers what is served but
// unregistered. The yaml Document API finds where each provider's model list ends; new entries
// are spliced into the text there, so that comments, spacing and quoting of every line not
// touched stay byte for byte. Only a provider without a block list of models falls back to
// re-serialising the document.
import { isSeq, parseDocument, type Node } from 'yaml';
import { scalar } from '../config/emit/yaml-writer.js';
import type { ProviderStatus } from './status.js';

export interface Discovery {
  additions: { provider: string; models: string[] }[];
  /** providers.yaml after the change (identical to the input when there is nothing to add). */
  text: string;
}

export function discover(providersYaml: string, statuses: readonly ProviderStatus[]): Discovery {
  const additions = statuses
    .filter((s) => s.reachable && s.unregistered.length > 0)
    .map((s) => ({ provider: s.id, models: [...s.unregistered].sort() }));
  if (additions.length === 0) return { additions, text: providersYaml };
  const doc = parseDocument(providersYaml);
  const splices: { at: number; text: string }[] = [];
  let rebuild = false;
  for (const a of additions) {
    const seq = doc.getIn(['providers', a.provider, 'models'], true);
    const last = isSeq(seq) && !seq.flow ? (seq.items[seq.items.length - 1] as Node | undefined) : undefined;
    if (isSeq(seq) && last?.range && seq.range) {
      const lineStart = providersYaml.lastIndexOf('\n', seq.range[0] - 1) + 1;
      const indent = ' '.repeat(seq.range[0] - lineStart);
      const nl = providersYaml.indexOf('\n', last.range[1] - 1);
      const at = nl === -1 ? providersYaml.length : nl + 1;
      const lead = nl === -1 ? '\n' : '';
      splices.push({ at, text: lead + a.models.map((m) => `${indent}- name: ${scalar(m)}\n`).join('') });
      // Also in the document, in case another provider forces a rebuild.
      for (const m of a.models) seq.add(doc.createNode({ name: m }));
    } else {
      rebuild = true;
      if (isSeq(seq)) for (const m of a.models) seq.add(doc.createNode({ name: m }));
      else doc.setIn(['providers', a.provider, 'models'], doc.createNode(a.models.map((m) => ({ name: m }))));
    }
  }
  if (rebuild) return { additions, text: doc.toString({ flowCollectionPadding: false, lineWidth: 0 }) };
  let text = providersYaml;
  for (const s of splices.sort((x, y) => y.at - x.at)) text = text.slice(0, s.at) + s.text + text.slice(s.at);
  return { additions, text };
}
