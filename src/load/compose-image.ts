// The image a docker compose file runs for one service, with its position, so that validate can
// compare it with gateway.image. A compose file that cannot be read is simply not compared.
import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument } from 'yaml';

export interface ComposeImage {
  image: string;
  line: number;
  column: number;
}

export function composeImage(file: string, service: string): ComposeImage | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) return undefined;
  const node = doc.getIn(['services', service, 'image'], true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const p = lineCounter.linePos(node.range[0]);
  return { image: node.value, line: p.line, column: p.col };
}
