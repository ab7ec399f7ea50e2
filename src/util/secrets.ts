// What a credential looks like, and how to make sure one is never printed. Every text the CLI
// shows from user input goes through maskSecrets (the diagnostic formatter and the JSON reporter).

export interface SecretPattern {
  kind: string;
  re: RegExp;
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  // The header and the base64 body after it (up to the END line, or whatever follows).
  { kind: 'private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[A-Za-z0-9+/=\s"'\\]*(?:-----END [A-Z ]*PRIVATE KEY-----)?/g },
  { kind: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { kind: 'OpenAI-style API key', re: /\bsk-[A-Za-z0-9_-]{16,}/g },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'AWS secret access key', re: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}/gi },
  { kind: 'bearer token', re: /\bbearer\s+[A-Za-z0-9\-._~+/]{12,}=*/gi },
  { kind: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{30,}/g },
  { kind: 'GitHub fine-grained token', re: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { kind: 'GitLab token', re: /\bgl(?:pat|dt|ptt|rt|cbt|oas)-[A-Za-z0-9_-]{20,}/g },
  { kind: 'Stripe key', re: /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{30,}/g },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'Slack token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  { kind: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'PyPI token', re: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  // Starts only where a run of token characters starts: from every "eyJ" inside a long run of
  // "-eyJaaaa" the class would scan to the run's end and back (quadratic: 200 KB took seconds).
  { kind: 'JSON web token', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/**
 * user:password@ inside a URL. The scheme starts only where a run of scheme characters starts
 * (not at every letter of "a.a.a…", which made the scan quadratic), and nothing after it can
 * backtrack: each pattern runs in time linear in the text.
 */
const URL_CREDENTIALS = /((?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi;
const URL_USER = /((?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+@/gi;

export const REDACTED = '<redacted>';

export interface SecretMatch {
  kind: string;
  index: number;
  length: number;
}

/** Every credential-like span in a text, left to right, without overlaps. */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const { kind, re } of SECRET_PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      found.push({ kind, index: m.index, length: m[0].length });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  for (const re of [URL_CREDENTIALS]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const skip = m[1]!.length;
      // user:password, without the '@' that keeps the host readable
      found.push({ kind: 'URL credentials', index: m.index + skip, length: m[0].length - skip - 1 });
    }
  }
  found.sort((a, b) => a.index - b.index || b.length - a.length);
  const out: SecretMatch[] = [];
  let end = -1;
  for (const f of found) {
    if (f.index >= end) {
      out.push(f);
      end = f.index + f.length;
    }
  }
  return out;
}

/** The text with every credential-like span replaced; the kind of secret stays readable. */
export function maskSecrets(text: string, extra: readonly string[] = []): string {
  return maskWithMap(text, extra).text;
}

/**
 * The masked text, and where an offset of the original text lands in it: a caret under a masked
 * value must be as long as the mask, not as the secret it hides.
 */
export function maskWithMap(text: string, extra: readonly string[] = []): { text: string; at: (offset: number) => number } {
  const spans: { index: number; length: number }[] = [];
  for (const value of extra) {
    if (value.length < 4) continue;
    for (let i = text.indexOf(value); i !== -1; i = text.indexOf(value, i + value.length)) spans.push({ index: i, length: value.length });
  }
  spans.push(...findSecrets(text));
  URL_USER.lastIndex = 0;
  for (let m = URL_USER.exec(text); m !== null; m = URL_USER.exec(text)) {
    const skip = m[1]!.length;
    spans.push({ index: m.index + skip, length: m[0].length - skip - 1 });
  }
  spans.sort((a, b) => a.index - b.index || b.length - a.length);
  const kept: { index: number; length: number }[] = [];
  let end = -1;
  for (const sp of spans) {
    if (sp.index >= end && sp.length > 0) {
      kept.push(sp);
      end = sp.index + sp.length;
    }
  }
  let out = '';
  let last = 0;
  for (const sp of kept) {
    out += text.slice(last, sp.index) + REDACTED;
    last = sp.index + sp.length;
  }
  out += text.slice(last);
  const at = (offset: number): number => {
    let shift = 0;
    for (const sp of kept) {
      if (offset <= sp.index) break;
      if (offset < sp.index + sp.length) return sp.index + shift + Math.min(offset - sp.index, REDACTED.length);
      shift += REDACTED.length - sp.length;
    }
    return offset + shift;
  };
  return { text: out, at };
}
