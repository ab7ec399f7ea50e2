// Container image references: floating tags drift under you, and some LiteLLM releases were
// published by an attacker (1.82.7 and 1.82.8 on PyPI, March 2026).

export const COMPROMISED_LITELLM_VERSIONS = ['1.82.7', '1.82.8'] as const;
const FLOATING_TAGS = new Set(['latest', 'main-latest', 'main-stable', 'main', 'stable', 'dev', 'nightly', 'main-nightly']);

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export interface ImageProblem {
  kind: 'compromised' | 'floating';
  message: string;
  suggestion?: string;
}

export function imageProblems(ref: string): ImageProblem[] {
  const img = parseImage(ref);
  const out: ImageProblem[] = [];
  const bad = COMPROMISED_LITELLM_VERSIONS.find(
    (v) => img.tag !== undefined && new RegExp(`(^|[^0-9.])v?${v.replace(/\./g, '\\.')}($|[^0-9])`).test(img.tag),
  );
  if (bad && /litellm/i.test(img.name)) {
    out.push({
      kind: 'compromised',
      message: `image ${img.name}:${img.tag} is LiteLLM ${bad}, a release known to be compromised; pin another release`,
    });
  }
  if (img.digest) return out;
  if (img.tag === undefined) {
    out.push({
      kind: 'floating',
      message: `image ${img.name} has no tag, so it floats to :latest; pin an exact release tag`,
      suggestion: `${img.name}:<version>-stable`,
    });
  } else if (FLOATING_TAGS.has(img.tag) || /(^|-)latest$/.test(img.tag)) {
    out.push({
      kind: 'floating',
      message: `image tag '${img.tag}' floats; pin an exact release tag such as v1.x.y-stable`,
      suggestion: `${img.name}:<version>-stable`,
    });
  }
  return out;
}
