// Every secret shape the scanner knows, with a value it must catch and a near miss it must not;
// masking, including the caret under a masked value. Token-shaped strings are built at run time,
// so that this file holds none.
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../../src/render/format-diagnostics.js';
import { makeStyle } from '../../../src/render/style.js';
import { findSecrets, maskSecrets, maskWithMap, REDACTED, SECRET_PATTERNS } from '../../../src/util/secrets.js';

const rep = (c: string, n: number) => c.repeat(n);
const A = (n: number) => 'aB3dE5gH9jK2mN4pQ6sT8vW1xY7zC0fR'.repeat(4).slice(0, n);

// [kind, a value it must catch, a near miss it must not]
const CASES: [string, string, string][] = [
  ['private key', `-----BEGIN ${'RSA PRIVATE'} KEY-----\nMIIEow${A(20)}`, '-----BEGIN PUBLIC KEY-----'],
  ['Anthropic API key', `sk-${'ant'}-api03-${A(24)}`, 'sk-ant-short'],
  ['OpenAI-style API key', `sk-${'proj'}-${A(20)}`, 'sk-learn'],
  ['AWS access key id', `${'AKIA'}${rep('Q', 16)}`, `AKIA${rep('Q', 12)}`],
  ['AWS secret access key', `aws_secret_access_key = ${A(40)}`, `aws_secret_access_key = ${A(20)}`],
  ['bearer token', `Bearer ${A(24)}`, 'bearer token'],
  ['GitHub token', `${'ghp'}_${A(36)}`, `ghp_${A(10)}`],
  ['GitHub fine-grained token', `${'github'}_pat_${A(40)}`, 'github_pat_short'],
  ['GitLab token', `${'glpat'}-${A(20)}`, 'glpat-short'],
  ['Stripe key', `${'sk'}_live_${A(24)}`, 'sk_live_'],
  ['Hugging Face token', `${'hf'}_${A(34)}`, 'hf_hub_download'],
  ['Google API key', `${'AIza'}${A(35)}`, `AIza${A(20)}`],
  ['Slack token', `${'xoxb'}-${A(24)}`, 'xoxb-1'],
  ['npm token', `${'npm'}_${A(36)}`, 'npm_config_cache'],
  ['PyPI token', `${'pypi'}-AgE${A(60)}`, 'pypi-simple'],
  ['JSON web token', `eyJ${A(12)}.eyJ${A(12)}.${A(16)}`, 'eyJ.eyJ.x'],
];

describe('secret patterns', () => {
  test('every pattern has a case here', () => {
    expect(CASES.map((c) => c[0]).sort()).toEqual(SECRET_PATTERNS.map((p) => p.kind).sort());
  });

  test.each(CASES)('%s: caught and masked; the near miss is left alone', (kind, value, nearMiss) => {
    const line = `description: see ${value} here`;
    const found = findSecrets(line);
    expect(found.map((f) => f.kind)).toEqual([kind]);
    expect(found[0]!.index).toBe(line.indexOf(value));
    expect(found[0]!.length).toBeGreaterThanOrEqual(Math.min(value.length, 20));
    expect(maskSecrets(line)).not.toContain(value);
    expect(findSecrets(`description: ${nearMiss} only`)).toEqual([]);
  });

  test('two secrets in one text are both found, in order, and both masked (the first too)', () => {
    const a = `sk-${A(20)}`;
    const b = `ghp_${A(36)}`;
    const text = `first ${a} then ${b}`;
    expect(findSecrets(text).map((f) => f.kind)).toEqual(['OpenAI-style API key', 'GitHub token']);
    expect(maskSecrets(text)).toBe(`first ${REDACTED} then ${REDACTED}`);
  });

  test('URL credentials are masked, the scheme and host stay readable', () => {
    expect(maskSecrets('http://user:pa55word@host:1/x')).toBe(`http://${REDACTED}@host:1/x`);
    expect(maskSecrets('http://someone@host/x')).toBe(`http://${REDACTED}@host/x`);
  });

  test('maskWithMap maps offsets of the original to the masked text', () => {
    const key = `sk-${A(20)}`;
    const m = maskWithMap(`a ${key} b ${key} c`);
    expect(m.text).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(m.at(2)).toBe(2);
    expect(m.at(2 + key.length)).toBe(2 + REDACTED.length);
    const second = 2 + key.length + 3;
    expect(m.at(second)).toBe(2 + REDACTED.length + 3);
    expect(m.at(second + key.length + 2)).toBe(2 + 2 * REDACTED.length + 3 + 2);
  });

  test('the caret under a masked secret is as long as the mask, and starts under it', () => {
    const key = `sk-${A(30)}`;
    const line = `  api_key: ${key}`;
    const out = formatDiagnostic(
      { code: 'secret-in-source', severity: 'error', message: 'x', file: 'f.yaml', line: 1, column: 12, length: key.length },
      () => [line],
      makeStyle(false),
    ).split('\n');
    expect(out[1]).toBe(`1 |   api_key: ${REDACTED}`);
    expect(out[2]).toBe(`  | ${' '.repeat(11)}${'^'.repeat(REDACTED.length)}`);
    expect(out.join('\n')).not.toContain(key);
  });
});

describe('secret spans: whole values, every spelling', () => {
  const whole = (value: string, kind: string) => {
    const text = `x ${value} y`;
    expect(findSecrets(text)).toEqual([{ kind, index: 2, length: value.length }]);
  };
  test('a private key block, body and END line included', () => {
    whole(`-----BEGIN ${'EC PRIVATE'} KEY-----\n${A(40)}\n${A(12)}==\n-----END EC PRIVATE KEY-----`, 'private key');
  });
  test('AWS secret keys in every spelling: no underscores, upper case, JSON quotes, no spaces', () => {
    for (const k of [
      'awssecretaccesskey=',
      'AWS_SECRET_ACCESS_KEY: ',
      'aws_secret_access_key"="',
      "aws_secret_access_key='",
      'aws_secret_access_key=',
    ])
      whole(`${k}${A(40)}`, 'AWS secret access key');
  });
  test('a bearer token after several spaces', () => whole(`Bearer   ${A(20)}`, 'bearer token'));
  test('a Slack app token', () => whole(`${'xapp'}-1-${A(16)}`, 'Slack token'));
  test('a JSON web token, all three parts', () => whole(`eyJ${A(12)}.eyJ${A(12)}.${A(24)}`, 'JSON web token'));
  test('a secret at the very start of the text', () => {
    const key = `sk-${A(20)}`;
    expect(findSecrets(`${key} rest`)).toEqual([{ kind: 'OpenAI-style API key', index: 0, length: key.length }]);
  });
  test('URL credentials: the span is user:password, without the @', () => {
    expect(findSecrets('see http://bob:pw@host/')).toEqual([{ kind: 'URL credentials', index: 11, length: 6 }]);
  });
});

describe('masking with known values', () => {
  test('every occurrence of a known value is masked; values shorter than 4 are not', () => {
    expect(maskSecrets('pw hunter2 and hunter2, abc', ['hunter2', 'abc'])).toBe(`pw ${REDACTED} and ${REDACTED}, abc`);
  });
  test('two values side by side are both masked', () => {
    expect(maskSecrets('[abcdefgh]', ['abcd', 'efgh'])).toBe(`[${REDACTED}${REDACTED}]`);
  });
  test('of two values at one place, the longer is masked whole', () => {
    expect(maskSecrets('abcdef!', ['abcd', 'abcdef'])).toBe(`${REDACTED}!`);
  });
  test('a known value after a key-shaped one: both masked, whatever order they are found in', () => {
    const key = `sk-${A(20)}`;
    expect(maskSecrets(`${key} then s3cret-value`, ['s3cret-value'])).toBe(`${REDACTED} then ${REDACTED}`);
  });
  test('maskWithMap: an offset inside a masked value lands inside the mask, never past it', () => {
    const m = maskWithMap('ab s3cret-value cd', ['s3cret-value']);
    expect(m.text).toBe(`ab ${REDACTED} cd`);
    expect(m.at(3)).toBe(3);
    expect(m.at(5)).toBe(5);
    expect(m.at(3 + 11)).toBe(3 + REDACTED.length);
    expect(m.at(3 + 12 + 1)).toBe(3 + REDACTED.length + 1);
  });
});

// Issue 20: the scanner sees untrusted text; its patterns must not backtrack over long runs.
describe('findSecrets in linear time', () => {
  test('the worst cases of the old patterns still find what they should, and finish', () => {
    for (const unit of ['a.', '-eyJaaaa', 'x://', 'sk-', 'bearer ', 'aws_secret_access_key ', '@:']) {
      const text = `${unit.repeat(Math.floor(400_000 / unit.length))} eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4 https://user:pw@host/`;
      const masked = maskSecrets(text);
      expect(masked, unit).not.toContain('SflKxwRJSMeKKF2QT4');
      expect(masked, unit).not.toContain('user:pw');
      expect(
        findSecrets(text).map((f) => f.kind),
        unit,
      ).toContain('URL credentials');
    }
  });
});
