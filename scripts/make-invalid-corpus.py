# Regenerates tests/fixtures/invalid/: each case is the base fixture with one thing broken, and
# its expected diagnostic positions are computed from an anchor string in the broken text, so
# that expectations come from the input, never from running the tool.
# Usage: python3 scripts/make-invalid-corpus.py
import json, os, shutil, base64, hashlib
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', 'tests', 'fixtures', 'invalid')
BASE = os.path.join(HERE, '..', 'tests', 'fixtures', 'base')
def base(name):
    return open(os.path.join(BASE, name)).read()
P, M, G, PO = base('providers.yaml'), base('model-mappings.yaml'), base('gateway.yaml'), base('ports.yaml')
cases = {}

def pos(text, anchor, occ=1, offset=0):
    i = -1
    for _ in range(occ):
        i = text.index(anchor, i + 1)
    i += offset
    line = text.count('\n', 0, i) + 1
    col = i - (text.rfind('\n', 0, i) + 1) + 1
    return line, col

def case(name, files=None, expect=(), secrets=(), remove=(), allow=(), binary=None, dirs=(), env=None, symlinks=None):
    files = files or {}
    ex = []
    for e in expect:
        code, fname, anchor = e[0], e[1], e[2]
        occ = e[3] if len(e) > 3 else 1
        if anchor is None:
            line, col = 1, 1
        else:
            text = files.get(fname)
            if text is None:
                text = {'providers.yaml': P, 'model-mappings.yaml': M, 'gateway.yaml': G, 'ports.yaml': PO}[fname]
            line, col = pos(text, anchor, occ)
        ex.append({'code': code, 'file': fname, 'line': line, 'column': col})
    cases[name] = dict(files=files, expect=ex, secrets=list(secrets), remove=list(remove), allow=list(allow), binary=binary or {}, dirs=list(dirs), env=env, symlinks=symlinks or {})

# ---------------- loading ----------------
t = P.replace('      - name: qwen2.5-coder:7b\n', '      - name: [qwen2.5-coder:7b\n')
# Reported once, at the bracket that is never closed (not at the next key, where the parser trips).
case('yaml-unclosed-flow-sequence', {'providers.yaml': t}, [('yaml-syntax', 'providers.yaml', '[qwen2.5')])
t = P.replace('    type: ollama\n', '    type: ollama\n   base_url: http://127.0.0.1:11434\n', 1).replace('    base_url: http://127.0.0.1:11434\n', '', 1)
case('yaml-bad-indentation', {'providers.yaml': t}, [('yaml-syntax', 'providers.yaml', '   base_url')], allow=['yaml-syntax'])
t = P.replace('    type: ollama', '\ttype: ollama')
case('yaml-tab-indentation', {'providers.yaml': t}, [('yaml-syntax', 'providers.yaml', '\ttype')], allow=['yaml-syntax'])
t = P + '  ollama:\n    type: ollama\n    base_url: http://127.0.0.1:11435\n    models:\n      - name: x\n'
case('duplicate-provider-key', {'providers.yaml': t}, [('yaml-duplicate-key', 'providers.yaml', 'ollama:', 2)])
t = P.replace('    type: vllm\n', '    type: vllm\n    type: openai_compatible\n')
case('duplicate-nested-key', {'providers.yaml': t}, [('yaml-duplicate-key', 'providers.yaml', 'type: openai_compatible')])
t = M.replace('  llama3.1:8b:\n    routes:\n      - provider: ollama\n', '  llama3.1:8b:\n    routes:\n      - provider: ollama\n    description: "x"\n    description: "y"\n')
case('duplicate-key-in-mappings', {'model-mappings.yaml': t}, [('yaml-duplicate-key', 'model-mappings.yaml', 'description: "y"')])
bomb = 'version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nproviders: {}\n'
case('alias-bomb-billion-laughs', {'providers.yaml': bomb}, [('yaml-alias-limit', 'providers.yaml', '*a')])
case('empty-file', {'providers.yaml': ''}, [('file-empty', 'providers.yaml', None)])
case('whitespace-only-file', {'model-mappings.yaml': '\n   \n\n'}, [('file-empty', 'model-mappings.yaml', None)])
case('comments-only-file', {'providers.yaml': '# nothing here yet\n# version: 1\n'}, [('file-empty', 'providers.yaml', None)])
case('binary-file', {}, [], binary={'providers.yaml': base64.b64encode(b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR').decode()})
latin = P.replace('    type: vllm\n', '    type: vllm\n    description: caf\xe9\n').encode('latin-1')
lt = latin.decode('latin-1')
l, c = pos(lt, 'caf', 1); c += 3
cases_latin = (l, c)
cases['binary-file']['expect'] = [{'code': 'file-binary', 'file': 'providers.yaml', 'line': 3, 'column': 1}]
case('latin1-not-utf8', {}, [], binary={'providers.yaml': base64.b64encode(latin).decode()})
cases['latin1-not-utf8']['expect'] = [{'code': 'file-encoding', 'file': 'providers.yaml', 'line': l, 'column': c}]
case('oversized-file', {}, [('file-too-large', 'providers.yaml', None)], binary={'providers.yaml': {'repeat': '# padding padding padding padding padding padding padding padding\n', 'bytes': 5 * 1024 * 1024}})
case('missing-providers-file', {}, [('file-missing', 'providers.yaml', None)], remove=['providers.yaml'])
case('missing-mappings-file', {}, [('file-missing', 'model-mappings.yaml', None)], remove=['model-mappings.yaml'])
t = P + '---\nversion: 1\n'
case('multi-document-file', {'providers.yaml': t}, [('yaml-multi-document', 'providers.yaml', '---')])
case('top-level-list', {'providers.yaml': '- version: 1\n- providers: {}\n'}, [('not-a-mapping', 'providers.yaml', None)])
case('top-level-scalar', {'model-mappings.yaml': 'just some text\n'}, [('not-a-mapping', 'model-mappings.yaml', None)])
t = P.replace('    type: vllm\n', '    type: !!js/function "function(){}"\n')
case('unknown-yaml-tag', {'providers.yaml': t}, [('yaml-tag', 'providers.yaml', '!!js/function')])
case('source-is-device', {}, [('file-unreadable', 'providers.yaml', None)], remove=['providers.yaml'], symlinks={'providers.yaml': '/dev/zero'})
case('source-is-directory', {}, [('file-unreadable', 'ports.yaml', None)], remove=['ports.yaml'], dirs=['ports.yaml'])

# ---------------- shape ----------------
case('unsupported-version-2', {'providers.yaml': P.replace('version: 1', 'version: 2', 1)}, [('unsupported-version', 'providers.yaml', '2')])
case('missing-version', {'model-mappings.yaml': M.replace('version: 1\n', '', 1)}, [('unsupported-version', 'model-mappings.yaml', 'models:')])
case('version-as-string', {'gateway.yaml': G.replace('version: 1', 'version: "1"', 1)}, [('unsupported-version', 'gateway.yaml', '"1"')])
case('unknown-key-provider-typo', {'providers.yaml': P.replace('    base_url: http://127.0.0.1:11434', '    bse_url: http://127.0.0.1:11434')}, [('unknown-key', 'providers.yaml', 'bse_url')])
case('unknown-key-top-level', {'providers.yaml': P.replace('providers:', 'provider:', 1)}, [('unknown-key', 'providers.yaml', 'provider:')])
case('unknown-key-route-typo', {'model-mappings.yaml': M.replace('        model: Qwen', '        modle: Qwen')}, [('unknown-key', 'model-mappings.yaml', 'modle')])
case('unknown-key-gateway-section', {'gateway.yaml': G + 'routr:\n  strategy: least-busy\n'}, [('unknown-key', 'gateway.yaml', 'routr')])
case('unknown-key-backend-model', {'providers.yaml': P.replace('      - name: gpt-4o-mini', '      - name: gpt-4o-mini\n        contxt_window: 128000')}, [('unknown-key', 'providers.yaml', 'contxt_window')])
case('models-not-a-list', {'providers.yaml': P.replace('    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', '    models: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ')}, [('invalid-type', 'providers.yaml', 'Qwen/Qwen2.5')], allow=['unknown-backend-model'])
case('weight-not-a-number', {'model-mappings.yaml': M.replace('      - provider: vllm\n', '      - provider: vllm\n        weight: heavy\n')}, [('invalid-type', 'model-mappings.yaml', 'heavy')])
case('weight-zero', {'model-mappings.yaml': M.replace('      - provider: vllm\n', '      - provider: vllm\n        weight: 0\n')}, [('out-of-range', 'model-mappings.yaml', '0\n')])
case('weight-fractional', {'model-mappings.yaml': M.replace('      - provider: vllm\n', '      - provider: vllm\n        weight: 1.5\n')}, [('invalid-type', 'model-mappings.yaml', '1.5')])
case('provider-type-typo', {'providers.yaml': P.replace('type: ollama', 'type: olama')}, [('invalid-value', 'providers.yaml', 'olama')])
case('provider-status-unknown', {'providers.yaml': P.replace('status: disabled', 'status: off')}, [('invalid-value', 'providers.yaml', 'off')])
case('router-strategy-unknown', {'gateway.yaml': G + 'router:\n  strategy: round-robin\n'}, [('invalid-value', 'gateway.yaml', 'round-robin')])
case('router-strategy-typo', {'gateway.yaml': G + 'router:\n  strategy: simple-shufle\n'}, [('invalid-value', 'gateway.yaml', 'simple-shufle')])
case('runtime-kind-unknown', {'gateway.yaml': G + 'runtime:\n  kind: kubernetes\n'}, [('invalid-value', 'gateway.yaml', 'kubernetes')])
case('runtime-command-missing-restart', {'gateway.yaml': G + 'runtime:\n  kind: command\n'}, [('missing-key', 'gateway.yaml', 'runtime')])
case('url-bad-scheme', {'providers.yaml': P.replace('http://127.0.0.1:11434', 'htp://127.0.0.1:11434')}, [('invalid-url', 'providers.yaml', 'htp://')])
case('url-without-scheme', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', '127.0.0.1:8001/v1')}, [('invalid-url', 'providers.yaml', '127.0.0.1:8001/v1')])
case('url-unparsable-port', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:80o1/v1')}, [('invalid-url', 'providers.yaml', 'http://127.0.0.1:80o1')])
case('url-with-credentials', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://admin:Hunter2Secret99@127.0.0.1:8001/v1')}, [('url-credentials', 'providers.yaml', 'http://admin')], secrets=['Hunter2Secret99'], allow=['secret-in-source'])
case('gateway-url-with-query', {'gateway.yaml': G.replace('http://127.0.0.1:4000', 'http://127.0.0.1:4000/?debug=1')}, [('invalid-url', 'gateway.yaml', 'http://127.0.0.1:4000/')])
case('provider-id-uppercase', {'providers.yaml': P.replace('  vllm:\n', '  VLLM:\n'), 'model-mappings.yaml': M.replace('provider: vllm', 'provider: VLLM')}, [('invalid-id', 'providers.yaml', 'VLLM')])
case('provider-id-leading-digit', {'providers.yaml': P.replace('  vllm:\n', '  1vllm:\n')}, [('invalid-id', 'providers.yaml', '1vllm')], allow=['unknown-provider'])
case('public-name-with-space', {'model-mappings.yaml': M.replace('  qwen-coder-vllm:\n', '  "qwen coder vllm":\n').replace('coder: qwen-coder-vllm', 'coder: qwen2.5-coder:7b')}, [('invalid-public-name', 'model-mappings.yaml', '"qwen coder vllm"')])
case('empty-routes', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes: []\n')}, [('out-of-range', 'model-mappings.yaml', '[]')])
case('missing-routes', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    description: no routes\n')}, [('missing-key', 'model-mappings.yaml', 'qwen2.5-coder:7b:')])
case('provider-missing-type', {'providers.yaml': P.replace('    type: vllm\n', '')}, [('missing-key', 'providers.yaml', 'vllm:')])
case('context-window-negative', {'providers.yaml': P.replace('      - name: llama3.1:8b\n', '      - name: llama3.1:8b\n        context_window: -4096\n')}, [('out-of-range', 'providers.yaml', '-4096')])
case('port-out-of-range', {'ports.yaml': PO.replace('port: 11434', 'port: 70000')}, [('out-of-range', 'ports.yaml', '70000')])
case('env-ref-lowercase', {'providers.yaml': P.replace('env:OPENAI_API_KEY', 'env:openai_api_key')}, [('invalid-env-ref', 'providers.yaml', 'env:openai_api_key')])
case('api-key-literal', {'providers.yaml': P.replace('env:OPENAI_API_KEY', 'sk-proj-AbCdEf0123456789GhIjKlMnOpQr')}, [('secret-literal', 'providers.yaml', 'sk-proj')], secrets=['sk-proj-AbCdEf0123456789GhIjKlMnOpQr', 'AbCdEf0123456789'])
case('api-key-literal-short', {'providers.yaml': P.replace('env:OPENAI_API_KEY', 'hunter2-password')}, [('secret-literal', 'providers.yaml', 'hunter2-password')], secrets=['hunter2-password'])
case('master-key-literal', {'gateway.yaml': G.replace('env:LITELLM_MASTER_KEY', 'sk-1234567890abcdefghij')}, [('secret-literal', 'gateway.yaml', 'sk-1234')], secrets=['sk-1234567890abcdefghij'])
case('cache-password-literal', {'gateway.yaml': G + 'cache:\n  enabled: true\n  password: redis-Pa55word-xyz\n'}, [('secret-literal', 'gateway.yaml', 'redis-Pa55word-xyz')], secrets=['redis-Pa55word-xyz'], allow=['port-unregistered'])
case('missing-base-url', {'providers.yaml': P.replace('    base_url: http://127.0.0.1:8001/v1\n', '')}, [('missing-base-url', 'providers.yaml', 'vllm:')])
case('active-provider-without-models', {'providers.yaml': P + '  spare:\n    type: openai_compatible\n    base_url: http://127.0.0.1:4000/v1\n'}, [('provider-without-models', 'providers.yaml', 'spare:')], allow=['port-conflict'])
case('duplicate-backend-model', {'providers.yaml': P.replace('      - name: qwen2.5-coder:7b\n', '      - name: qwen2.5-coder:7b\n      - name: llama3.1:8b\n')}, [('duplicate-backend-model', 'providers.yaml', 'llama3.1:8b', 2)])
case('models-null', {'providers.yaml': P.replace('    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n', '    models:\n')}, [('invalid-type', 'providers.yaml', 'models:', 2)])

# ---------------- references ----------------
case('no-public-models', {'model-mappings.yaml': 'version: 1\nmodels: {}\n'}, [('no-public-models', 'model-mappings.yaml', 'models')], allow=['unused-provider'])
case('route-unknown-provider', {'model-mappings.yaml': M.replace('      - provider: vllm', '      - provider: vlm')}, [('unknown-provider', 'model-mappings.yaml', 'vlm')])
case('route-disabled-provider', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n  gpt-4o-mini:\n    routes:\n      - provider: openai\n')}, [('disabled-provider', 'model-mappings.yaml', 'openai')])
case('route-unknown-backend-model', {'model-mappings.yaml': M.replace('model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', 'model: Qwen/Qwen2.5-Coder-7B-Instruct')}, [('unknown-backend-model', 'model-mappings.yaml', 'Qwen/Qwen2.5-Coder-7B-Instruct')])
case('route-implicit-backend-model', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n  mistral:7b:\n    routes:\n      - provider: ollama\n')}, [('unknown-backend-model', 'model-mappings.yaml', 'ollama', 3)])
case('fallback-unknown-name', {'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [qwen2.5-coder:7]', 1)}, [('unknown-fallback', 'model-mappings.yaml', 'qwen2.5-coder:7]')])
case('fallback-self', {'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [llama3.1:8b]', 1)}, [('self-fallback', 'model-mappings.yaml', 'llama3.1:8b]')])
case('fallback-self-through-alias', {'model-mappings.yaml': M.replace('    fallbacks: [qwen2.5-coder:7b]\naliases', '    fallbacks: [coder]\naliases')}, [('self-fallback', 'model-mappings.yaml', 'coder]')])
case('fallback-cycle-two', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n    fallbacks: [llama3.1:8b]\n')}, [('fallback-cycle', 'model-mappings.yaml', 'qwen2.5-coder:7b]')])
case('fallback-cycle-three', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n    fallbacks: [qwen-coder-vllm]\n').replace('fallbacks: [qwen2.5-coder:7b]\naliases', 'fallbacks: [llama3.1:8b]\naliases')}, [('fallback-cycle', 'model-mappings.yaml', 'qwen2.5-coder:7b]')])
case('fallback-duplicate', {'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [qwen2.5-coder:7b, qwen2.5-coder:7b]', 1)}, [('duplicate-fallback', 'model-mappings.yaml', 'qwen2.5-coder:7b]')])
case('alias-unknown-target', {'model-mappings.yaml': M.replace('coder: qwen-coder-vllm', 'coder: qwen-coder-vlm')}, [('unknown-alias-target', 'model-mappings.yaml', 'qwen-coder-vlm')])
case('alias-to-alias', {'model-mappings.yaml': M + '  dev: coder\n'}, [('alias-to-alias', 'model-mappings.yaml', 'coder\n', 1)])
case('alias-shadows-public-name', {'model-mappings.yaml': M + '  llama3.1:8b: qwen2.5-coder:7b\n'}, [('alias-shadows-model', 'model-mappings.yaml', 'llama3.1:8b: qwen')])
case('route-duplicate', {'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n      - provider: ollama\n')}, [('duplicate-route', 'model-mappings.yaml', 'provider: ollama', 3)])
case('provider-unused-warning', {'providers.yaml': P + '  spare:\n    type: vllm\n    base_url: http://127.0.0.1:8001/v1\n    models:\n      - name: x\n'}, [('unused-provider', 'providers.yaml', 'spare:')], allow=['port-conflict'])

# ---------------- secrets ----------------
case('openai-key-in-comment', {'providers.yaml': P.replace('  vllm:\n', '  # old key: sk-live-ABCDEFGHIJKLMNOPQRSTuvwx\n  vllm:\n')}, [('secret-in-source', 'providers.yaml', 'sk-live')], secrets=['sk-live-ABCDEFGHIJKLMNOPQRSTuvwx'])
case('aws-access-key-in-description', {'providers.yaml': P.replace('    type: vllm\n', '    type: vllm\n    description: uses AKIAIOSFODNN7EXAMPLE for s3\n')}, [('secret-in-source', 'providers.yaml', 'AKIA')], secrets=['AKIAIOSFODNN7EXAMPLE'])
case('bearer-token-in-description', {'model-mappings.yaml': M.replace('  qwen-coder-vllm:\n', '  qwen-coder-vllm:\n    description: "curl -H Authorization: Bearer abcDEF123456ghiJKL789"\n')}, [('secret-in-source', 'model-mappings.yaml', 'Bearer')], secrets=['abcDEF123456ghiJKL789'])
case('github-token-in-ports', {'ports.yaml': PO.replace('  vllm: { port: 8001 }', '  vllm: { port: 8001, description: ghp_0123456789abcdefghijABCDEFGHIJ012345 }')}, [('secret-in-source', 'ports.yaml', 'ghp_')], secrets=['ghp_0123456789abcdefghijABCDEFGHIJ012345'])
case('private-key-in-description', {'providers.yaml': P.replace('    type: vllm\n', '    type: vllm\n    description: "-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA"\n')}, [('secret-in-source', 'providers.yaml', '-----BEGIN')], secrets=['MIIEpAIBAAKCAQEA'])
case('passthrough-literal-key', {'gateway.yaml': G + 'passthrough:\n  router_settings:\n    redis_password: s3cr3t-Passw0rd\n'}, [('secret-literal', 'gateway.yaml', 's3cr3t-Passw0rd')], secrets=['s3cr3t-Passw0rd'])
case('passthrough-sk-key', {'gateway.yaml': G + 'passthrough:\n  general_settings:\n    master_key: sk-abcdefghijklmnopqrstuv\n'}, [('secret-literal', 'gateway.yaml', 'sk-abcdef')], secrets=['sk-abcdefghijklmnopqrstuv'])
# An unclosed flow sequence: one finding, at the bracket, not at the line the parser trips on
case('unclosed-flow-sequence', {'model-mappings.yaml': M.replace('    fallbacks: [qwen2.5-coder:7b]\n  qwen2.5-coder:7b:', '    fallbacks: [qwen2.5-coder:7b\n  qwen2.5-coder:7b:')}, [('yaml-syntax', 'model-mappings.yaml', '[qwen2.5-coder:7b\n')])

# Two providers on one port: one finding, at the provider that took the other's registered port
case('provider-on-anothers-registered-port', {'providers.yaml': P.replace('http://127.0.0.1:11434', 'http://127.0.0.1:8001')}, [('port-conflict', 'providers.yaml', 'http://127.0.0.1:8001')])

# URL paths and modes (issue 14)
EMB_P = P.replace('      - name: qwen2.5-coder:7b\n', '      - name: qwen2.5-coder:7b\n      - name: nomic-embed-text\n        mode: embedding\n')
case('ollama-base-url-v1', {'providers.yaml': P.replace('http://127.0.0.1:11434', 'http://127.0.0.1:11434/v1')}, [('url-path', 'providers.yaml', 'http://127.0.0.1:11434/v1')])
case('vllm-base-url-without-v1', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001')}, [('url-path', 'providers.yaml', 'http://127.0.0.1:8001')])
case('chat-falls-back-to-embedding', {'providers.yaml': EMB_P, 'model-mappings.yaml': M.replace('aliases:\n', '  nomic-embed-text:\n    routes:\n      - provider: ollama\naliases:\n').replace('    fallbacks: [qwen2.5-coder:7b]\n  qwen2.5-coder:7b:', '    fallbacks: [nomic-embed-text]\n  qwen2.5-coder:7b:')}, [('fallback-mode-mismatch', 'model-mappings.yaml', 'nomic-embed-text]')])
case('fallback-to-alias-of-other-mode', {'providers.yaml': EMB_P, 'model-mappings.yaml': M.replace('aliases:\n', '  nomic-embed-text:\n    routes:\n      - provider: ollama\naliases:\n  embed: nomic-embed-text\n').replace('    fallbacks: [qwen2.5-coder:7b]\n  qwen2.5-coder:7b:', '    fallbacks: [embed]\n  qwen2.5-coder:7b:')}, [('fallback-mode-mismatch', 'model-mappings.yaml', 'embed]')])
case('routes-of-two-modes', {'providers.yaml': EMB_P, 'model-mappings.yaml': M.replace('  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n', '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n      - provider: ollama\n        model: nomic-embed-text\n')}, [('backend-mode-mismatch', 'model-mappings.yaml', 'provider: ollama\n        model: nomic')])

# passthrough against what LiteLLM 1.106.12 accepts (issue 14)
case('passthrough-typo-router-key', {'gateway.yaml': G + 'passthrough:\n  router_settings:\n    num_retry: 4\n'}, [('passthrough-unknown-key', 'gateway.yaml', 'num_retry')])
case('passthrough-health-check-in-router', {'gateway.yaml': G + 'passthrough:\n  router_settings:\n    health_check_interval: 30\n'}, [('passthrough-unknown-key', 'gateway.yaml', 'health_check_interval')])
case('passthrough-cache-params-override', {'gateway.yaml': G + 'cache:\n  enabled: true\npassthrough:\n  litellm_settings:\n    cache_params:\n      ttl: 60\n'}, [('passthrough-override', 'gateway.yaml', 'ttl: 60')], allow=['port-unregistered'])
case('passthrough-fallbacks-override', {'gateway.yaml': G + 'passthrough:\n  router_settings:\n    fallbacks: [{coder: [llama3.1:8b]}]\n'}, [('passthrough-override', 'gateway.yaml', 'fallbacks:')])
case('passthrough-model-group-alias', {'gateway.yaml': G + 'passthrough:\n  router_settings:\n    model_group_alias: {gpt-4: coder}\n'}, [('passthrough-override', 'gateway.yaml', 'model_group_alias')])
case('passthrough-bad-strategy', {'gateway.yaml': G + 'passthrough:\n  overrides: [router_settings.routing_strategy]\n  router_settings:\n    routing_strategy: round-robin\n'}, [('invalid-value', 'gateway.yaml', 'round-robin')])
case('secret-in-broken-yaml', {'providers.yaml': P.replace('    type: vllm\n', '    type: vllm\n    api_key: sk-ant-api03-AAAABBBBCCCCDDDDEEEE\n  : : [\n')}, [('secret-in-source', 'providers.yaml', 'sk-ant')], secrets=['sk-ant-api03-AAAABBBBCCCCDDDDEEEE'], allow=['yaml-syntax'])
case('jwt-in-comment', {'gateway.yaml': G + '# token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N\n'}, [('secret-in-source', 'gateway.yaml', 'eyJhbG')], secrets=['dozjgNryP4J3jVmNHl0w5N'])

# ---------------- ports ----------------
case('registry-duplicate-port', {'ports.yaml': PO.replace('  vllm: { port: 8001 }', '  vllm: { port: 8001 }\n  grafana: { port: 4000 }')}, [('port-conflict', 'ports.yaml', '4000', 2)])
case('provider-on-reserved-port', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8002/v1')}, [('port-reserved', 'providers.yaml', 'http://127.0.0.1:8002')])
case('registry-entry-reserved', {'ports.yaml': PO.replace('reserved: [8002]', 'reserved: [8002, 8001]')}, [('port-reserved', 'ports.yaml', '8001')])
case('provider-port-unregistered', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:9999/v1')}, [('port-unregistered', 'providers.yaml', 'http://127.0.0.1:9999')])
case('two-providers-one-port', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://localhost:11434/v1')}, [('port-conflict', 'providers.yaml', 'http://localhost:11434')], allow=['port-unregistered'])
case('provider-on-gateway-port', {'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:4000/v1')}, [('port-conflict', 'gateway.yaml', 'http://127.0.0.1:4000')])

# ---------------- gateway ----------------
case('image-floating-main-latest', {'gateway.yaml': G.replace('v1.106.12-stable', 'main-latest')}, [('image-floating-tag', 'gateway.yaml', 'ghcr.io')])
case('image-floating-main-stable', {'gateway.yaml': G.replace('v1.106.12-stable', 'main-stable')}, [('image-floating-tag', 'gateway.yaml', 'ghcr.io')])
case('image-without-tag', {'gateway.yaml': G.replace(':v1.106.12-stable', '')}, [('image-floating-tag', 'gateway.yaml', 'ghcr.io')])
case('image-compromised-1-82-7', {'gateway.yaml': G.replace('v1.106.12-stable', 'v1.82.7-stable')}, [('image-compromised', 'gateway.yaml', 'ghcr.io')])
case('image-compromised-1-82-8', {'gateway.yaml': G.replace('v1.106.12-stable', 'v1.82.8')}, [('image-compromised', 'gateway.yaml', 'ghcr.io')])
case('output-outside-project', {'gateway.yaml': G + 'output: ../../etc/litellm.yaml\n'}, [('output-outside-project', 'gateway.yaml', '../../etc')])
case('output-overwrites-source', {'gateway.yaml': G + 'output: config/providers.yaml\n'}, [('output-is-source', 'gateway.yaml', 'config/providers.yaml')])
case('env-variable-unset', {'gateway.yaml': G.replace('env:LITELLM_MASTER_KEY', 'env:AIBACKEND_TEST_UNSET_VAR')}, [('env-unset', 'gateway.yaml', 'env:AIBACKEND_TEST_UNSET_VAR')])

# ---------------- output ----------------
body = 'model_list: []\n'
def header(src, bodyhash):
    return ('# AUTO-GENERATED by aibackend 0.1.0. DO NOT EDIT: changes here are overwritten.\n# sources: config/providers.yaml\n'
            f'# source-sha256: {src}\n# body-sha256: {bodyhash}\n')
case('output-without-header', {'litellm-unified.yaml': 'model_list: []\n'}, [('output-hand-edited', 'litellm-unified.yaml', None)])
case('output-body-edited', {'litellm-unified.yaml': header('0' * 64, hashlib.sha256(b'model_list: [1]\n').hexdigest()) + body}, [('output-hand-edited', 'litellm-unified.yaml', 'model_list')], allow=['output-stale'])
case('output-stale', {'litellm-unified.yaml': header('0' * 64, hashlib.sha256(body.encode()).hexdigest()) + body}, [('output-stale', 'litellm-unified.yaml', None)])

shutil.rmtree(ROOT, ignore_errors=True)
os.makedirs(ROOT)
for name, c in cases.items():
    d = os.path.join(ROOT, name)
    os.makedirs(d)
    for fname, text in c['files'].items():
        with open(os.path.join(d, fname), 'w', newline='') as f:
            f.write(text)
    spec = {'expect': c['expect']}
    for k in ('secrets', 'remove', 'allow', 'dirs'):
        if c[k]:
            spec[k] = c[k]
    if c['binary']:
        spec['generate'] = c['binary']
    if c['symlinks']:
        spec['symlinks'] = c['symlinks']
    with open(os.path.join(d, 'case.json'), 'w') as f:
        json.dump(spec, f, indent=2)
        f.write('\n')
print(len(cases), 'cases')
