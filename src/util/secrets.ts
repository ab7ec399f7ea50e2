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
  { kind: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{30,}/g },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'JSON web token', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** user:password@ inside a URL. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi;
const URL_USER = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+@/gi;

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
      found.push({ kind: 'URL credentials', index: m.index + skip, length: m[0].length - skip });
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
  let out = text;
  for (const value of extra) if (value.length >= 4) out = out.split(value).join(REDACTED);
  const matches = findSecrets(out);
  for (let i = matches.length - 1; i >= 0; i--) {
    const m = matches[i]!;
    out = out.slice(0, m.index) + REDACTED + out.slice(m.index + m.length);
  }
  return out.replace(URL_USER, `$1${REDACTED}@`);
}
