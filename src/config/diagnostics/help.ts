// For every diagnostic code, what usually causes it and how to fix it. docs/troubleshooting.md is
// generated from this (`npm run docs`), SARIF rules carry it as their help, and the type makes a
// code without an entry a compile error. Loaded only by the reporters and the docs generator.
import type { Code } from './codes.js';

export interface CodeHelp {
  cause: string;
  fix: string;
}

export const HELP: Record<Code, CodeHelp> = {
  'file-missing': {
    cause:
      'providers.yaml or model-mappings.yaml (or the config directory itself) is not where aibackend looks: `./config`, the nearest `config/` above, or `--config-dir`.',
    fix: 'Run aibackend from the project, point `-C/--config-dir` at the directory that holds the sources, or start one with `aibackend init`.',
  },
  'file-unreadable': {
    cause: 'The file exists but cannot be read: permissions, a directory in its place, or a device.',
    fix: 'Make it a regular, readable file (`ls -l` shows what it is).',
  },
  'file-too-large': {
    cause: 'A source is larger than 4 MiB, which no hand-edited registry is; usually a generated or binary file in the wrong place.',
    fix: 'Put the real source back; split very large registries only if they really are that large.',
  },
  'file-binary': { cause: 'The file holds NUL bytes: it is not text.', fix: 'Restore the YAML file from version control.' },
  'file-encoding': { cause: 'The file is not valid UTF-8 (often Latin-1 or UTF-16 written by an editor).', fix: 'Re-save it as UTF-8.' },
  'path-outside-project': {
    cause:
      'A source, the compose file (`runtime.file`), the generated file or a file of the generated stack is, or sits behind, a symlink that leads outside the project (the directory above config/, and the directory config/ links to when it is itself a link). aibackend runs on untrusted pull requests in CI, so it names such a file and never reads, quotes or writes it.',
    fix: 'Replace the link with the file itself, or move its target inside the project. A `config/` that is itself a symlink keeps working: the directory it points at counts as part of the project (docs/ci.md).',
  },
  'file-empty': {
    cause: 'The file is empty or holds only comments.',
    fix: 'Give it at least `version: 1` and its section, or delete optional files (gateway.yaml, ports.yaml) to use the defaults.',
  },
  'yaml-syntax': {
    cause: 'The YAML does not parse: an unclosed bracket or quote, a tab for indentation, a stray colon.',
    fix: 'Fix the text at the position shown; the caret marks where the parser gave up.',
  },
  'yaml-duplicate-key': {
    cause: 'The same key appears twice in one mapping; YAML parsers disagree on which wins.',
    fix: 'Keep one of them (merge their contents if both mattered).',
  },
  'yaml-alias-limit': {
    cause: 'More than 100 YAML aliases: a billion-laughs style expansion, or a runaway anchor.',
    fix: 'Write the values out; sources need no anchors.',
  },
  'yaml-multi-document': {
    cause: 'The file holds more than one YAML document (a second `---`).',
    fix: 'Keep one document per source file.',
  },
  'yaml-tag': {
    cause: 'A YAML tag such as `!!python/object` or `!env`: sources are plain data.',
    fix: 'Remove the tag; secrets are written as `env:VAR_NAME`.',
  },
  'not-a-mapping': {
    cause: 'The top level is a list or a scalar, not `key: value` pairs.',
    fix: 'Start the file with `version: 1` and its section key.',
  },
  'unsupported-version': { cause: '`version` is missing or not 1.', fix: 'Write `version: 1` at the top of every source file.' },
  'unknown-key': {
    cause: 'A key the format does not define, usually a typo; the message names the closest known key.',
    fix: 'Rename it as suggested, or remove it. LiteLLM settings the format lacks go under `passthrough:` in gateway.yaml.',
  },
  'missing-key': { cause: 'A required key is missing (for example a route without `provider`).', fix: 'Add the key named in the message.' },
  'invalid-type': {
    cause: 'A value has the wrong type: a string where a number belongs, a list where a mapping belongs.',
    fix: 'Write the value in the type the message names.',
  },
  'invalid-value': {
    cause: 'A value is not one of the allowed ones (a provider type, a routing strategy, a mode).',
    fix: 'Use one of the values listed in the message; the closest one is suggested.',
  },
  'invalid-url': {
    cause: 'A URL does not parse, or is not http:// or https://.',
    fix: 'Write a full URL such as `http://127.0.0.1:11434`.',
  },
  'url-credentials': {
    cause: 'A URL carries `user:password@`; credentials in URLs end up in logs and in the generated file.',
    fix: 'Remove them from the URL; give keys as `api_key: env:VAR_NAME`, and rotate the exposed credential.',
  },
  'url-path': {
    cause:
      'LiteLLM appends its own path to base_url: `/api/chat` for Ollama (so `http://host:11434/v1` becomes `/v1/api/chat`, a 404) and `/chat/completions` for vLLM (which serves it under `/v1`).',
    fix: 'Ollama: the server root (`http://127.0.0.1:11434`); vLLM: the `/v1` base (`http://127.0.0.1:8001/v1`), as the suggestion shows.',
  },
  'mcp-server-id': {
    cause:
      "LiteLLM names a server's tools `<server>-<tool>` at its `/mcp` endpoint and refuses a server name holding the separator `-` at start-up.",
    fix: 'Rename the MCP server with `_` instead of `-` (the suggestion shows it).',
  },
  'mcp-transport': {
    cause:
      '`http` and `sse` servers are reached at a `url`; a `stdio` server is a `command` the gateway runs. An entry with neither, or with the other transport\'s key, cannot work; a `command` that is a relative path would run whatever file sits there when the gateway starts.',
    fix: 'Give `url:` for http/sse, `command: [program, args...]` for stdio (a program on the gateway\'s PATH or an absolute path), and set `transport:` to match.',
  },
  'mcp-url-path': {
    cause:
      'MCP SDK servers serve streamable HTTP at `/mcp` and the older SSE transport at `/sse`; a URL ending in one with `transport:` set to the other reaches an endpoint that speaks another protocol.',
    fix: 'Set `transport: sse` for an `/sse` endpoint, or point `url` at the streamable HTTP endpoint (`/mcp`).',
  },
  'mcp-stdio': {
    cause:
      'A `stdio` MCP server is a program the gateway starts itself, in its own environment (inside its container with compose). The pinned LiteLLM refuses to start it unless the gateway runs with `LITELLM_ENABLE_MCP_STDIO=true`.',
    fix: 'Set `LITELLM_ENABLE_MCP_STDIO=true` for the gateway (compose `environment:`, or `runtime.env` for the process runtime) and make sure the program is installed where the gateway runs; or serve the tool over HTTP instead.',
  },
  'invalid-id': {
    cause: 'A provider id is not lowercase letters, digits, `_` and `-`, starting with a letter.',
    fix: 'Rename the provider (and every route that names it).',
  },
  'invalid-public-name': {
    cause:
      "A public name or alias is empty, holds white space, or a control or other non-printable character (such as DEL) that LiteLLM's YAML loader refuses and no client can type.",
    fix: 'Rename it with printable characters only, for example `llama3.1:8b`.',
  },
  'invalid-env-ref': {
    cause: 'A secret is written as `env:` followed by something that is not a valid variable name.',
    fix: 'Write `env:VAR_NAME` with VAR_NAME in capitals, digits and `_`.',
  },
  'out-of-range': {
    cause: 'A number is outside its allowed range (a port above 65535, a weight of 0).',
    fix: 'Use a value in the range the message gives.',
  },
  'missing-base-url': {
    cause: 'Provider types ollama, llama_cpp, vllm and openai_compatible need `base_url`: LiteLLM cannot guess where the server is.',
    fix: "Add `base_url:` with the server's URL.",
  },
  'provider-without-models': {
    cause: 'An active provider lists no models, so nothing could route to it.',
    fix: 'List its models (`aibackend discover` shows what it serves), or set `status: disabled`.',
  },
  'duplicate-backend-model': { cause: 'A provider lists the same model name twice.', fix: 'Keep one of the entries.' },
  'unknown-provider': {
    cause: 'A route names a provider id that providers.yaml does not register; usually a typo.',
    fix: 'Use the suggested id, or register the provider.',
  },
  'disabled-provider': {
    cause: 'A route names a provider whose `status` is `disabled`; requests to it would fail.',
    fix: 'Enable the provider, or route the name elsewhere.',
  },
  'unknown-backend-model': {
    cause: 'A route names a backend model (its `model:`, or the public name by default) that its provider does not list.',
    fix: 'Add `model:` with the name the provider knows, or list the model under the provider.',
  },
  'backend-mode-mismatch': {
    cause: 'One public name routes to a chat model and an embedding model at once; a client gets one or the other at random.',
    fix: 'Give each mode its own public name.',
  },
  'fallback-mode-mismatch': {
    cause:
      'A chat name falls back to an embedding name, or the reverse (an alias counts as its target): when the routes fail, LiteLLM would send requests the fallback cannot answer.',
    fix: 'Fall back to a name of the same mode.',
  },
  'unknown-fallback': {
    cause: 'A fallback names a public name that does not exist.',
    fix: 'Use the suggested name, or define the missing public name.',
  },
  'self-fallback': { cause: 'A public name lists itself as a fallback.', fix: "Remove it: a name's own routes are always tried first." },
  'fallback-cycle': {
    cause: 'Fallbacks form a loop (a falls back to b, b to a).',
    fix: 'Break the cycle at the edge shown; fallbacks should lead to ever more available models.',
  },
  'duplicate-fallback': {
    cause: 'The same fallback appears twice in one list; the second try can only fail the same way.',
    fix: 'Keep one of them.',
  },
  'unknown-alias-target': {
    cause: 'An alias points at a public name that does not exist.',
    fix: 'Point it at an existing name (the closest is suggested).',
  },
  'alias-to-alias': {
    cause: 'An alias points at another alias; the format keeps aliases one level deep.',
    fix: 'Point it at the public name the other alias points to.',
  },
  'alias-shadows-model': {
    cause: 'An alias has the same name as a public model, so one of them would be unreachable.',
    fix: 'Rename the alias or remove it.',
  },
  'duplicate-route': {
    cause: 'A public name lists the same provider and backend model twice.',
    fix: 'Keep one route; use `weight:` to send it a larger share.',
  },
  'unused-provider': {
    cause: 'An active provider that no route uses (a warning).',
    fix: 'Route a public name to it, or set `status: disabled` if it is kept for later.',
  },
  'no-public-models': {
    cause: 'model-mappings.yaml defines no public model: the gateway would serve nothing.',
    fix: 'Add at least one entry under `models:`.',
  },
  'secret-literal': {
    cause: 'A secret value is written literally where `env:VAR_NAME` belongs (or `os.environ/VAR` in passthrough).',
    fix: 'Write `env:VAR_NAME`, set the variable where aibackend and the gateway run, and rotate the exposed value.',
  },
  'secret-in-source': {
    cause: 'Something shaped like a credential (an API key, a token, a private key) appears in a source file, comments included.',
    fix: 'Remove it, reference an environment variable instead, and rotate the credential: it is in your history now.',
  },
  'env-unset': {
    cause: 'An `env:` variable the gateway needs is not set here (a warning at validate, an error at reload).',
    fix: 'Export it in the environment that runs aibackend and the gateway (for compose, the shell or an .env file).',
  },
  'port-conflict': {
    cause: 'Two services are given the same port (in ports.yaml, or a provider URL on a port the registry gives to another).',
    fix: 'Give each service its own port, and update the URL or the registry.',
  },
  'port-unregistered': {
    cause: 'A provider or gateway URL uses a port that ports.yaml does not list (a warning).',
    fix: 'Register the port in ports.yaml, so that conflicts can be found.',
  },
  'port-reserved': { cause: 'A URL uses a port listed under `reserved:`.', fix: 'Move the service to a free port, or un-reserve it.' },
  'image-floating-tag': {
    cause: '`gateway.image` has no tag, or a floating one (`main-latest`, `main-stable`): a restart may pull a different LiteLLM.',
    fix: 'Pin an exact release tag such as `ghcr.io/berriai/litellm:v1.106.12-stable`.',
  },
  'image-compromised': {
    cause: 'The image is a LiteLLM release known to be compromised (1.82.7 and 1.82.8 were malicious on PyPI in March 2026).',
    fix: 'Pin another release now, and audit the hosts that ran it.',
  },
  'image-mismatch': {
    cause: "docker-compose.yml runs another image than `gateway.image` says (after compose's own `${VAR:-default}` substitution).",
    fix: 'Make them the same; the compose file is what really runs.',
  },
  'compose-file-missing': {
    cause:
      '`runtime.file` names a compose file that does not exist, or one without `runtime.service` (with replicas: without `<service>-r1`, `-r2`, ... or `haproxy`, the services a rolling reload recreates).',
    fix: 'Fix the path (relative to the project directory) or the service name; `aibackend init` writes a starter docker-compose.yml, and docker-compose.replicas.yml is the replica topology.',
  },
  'replica-ports': {
    cause:
      'With `replicas: 2` or more, every replica needs its own loopback port in `replica_ports` (one per replica, all different), and none may be the port of `gateway.url`, which belongs to the load balancer.',
    fix: 'List one free port per replica, for example `replica_ports: [4001, 4002]`, and register them in ports.yaml.',
  },
  'replica-port-placeholder': {
    cause: 'The process runtime starts each replica with `runtime.command`; without `{port}` in it, every replica would try the same port.',
    fix: 'Write `--port "{port}"` in runtime.command; each replica gets its own port from `replica_ports`.',
  },
  'replicas-without-redis': {
    cause: 'Several replicas each keep their own router state (cooldowns, usage counts) and cache unless they share Redis (a warning).',
    fix: 'Enable `cache:` with a Redis host, or give `passthrough.router_settings` redis_host and redis_port.',
  },
  'monitoring-needs-metrics': {
    cause: "The monitoring stack scrapes the gateway's /metrics/, which LiteLLM serves only with its prometheus callback.",
    fix: 'Set `metrics: { prometheus: true }` in gateway.yaml, or turn monitoring off.',
  },
  'monitoring-dir-conflict': {
    cause:
      "`generate` writes the monitoring stack's files, a .gitignore among them, into monitoring.dir; the project directory or the config directory would mix them with files you edit.",
    fix: 'Give monitoring.dir a directory of its own, for example `monitoring`.',
  },
  'alerting-needs-monitoring': {
    cause:
      'Alertmanager only routes alerts: the generated Prometheus (monitoring.enabled) evaluates the rules in rules.yml and sends what fires to it. Without the monitoring stack nothing would ever reach Alertmanager.',
    fix: 'Set `monitoring: { enabled: true }` (with `metrics: { prometheus: true }`), or turn alerting off.',
  },
  'alerting-no-receiver': {
    cause: 'With no receiver, every alert ends at the root route and nobody is told (a warning).',
    fix: 'Add a receiver under `monitoring.alerting.receivers`, e.g. `oncall: { kind: pagerduty, routing_key: env:PAGERDUTY_ROUTING_KEY }`.',
  },
  'not-implemented': {
    cause:
      'The setting is part of the format, but this version of aibackend does not act upon it fully yet (a warning): rolling reloads over replicas behind HAProxy are done by the process and compose runtimes; the command runtime and Caddy are not yet.',
    fix: 'Leave it in place for a later version, or remove it; until then reload restarts the one gateway at gateway.url.',
  },
  'passthrough-unknown-key': {
    cause:
      'passthrough goes to LiteLLM verbatim, and this key is not one LiteLLM accepts in that section: a typo (`num_retry`) that LiteLLM silently ignores, or a key that stops it at start-up (`router_settings.health_check_interval`, which belongs in general_settings).',
    fix: 'Use the suggested key, or move it to the section the message names.',
  },
  'passthrough-override': {
    cause:
      'A passthrough key would replace something aibackend compiles from the sources (fallbacks, aliases, the Redis cache connection, the master key, the router settings), so the sources would no longer say what the gateway does.',
    fix: 'Set it through the source key the message names; if the override is really meant, list the dotted key under `passthrough.overrides` (aliases cannot be overridden: write them in model-mappings.yaml).',
  },
  'passthrough-loads-code': {
    cause:
      "A passthrough key that names Python code (`litellm_settings.callbacks: [custom_callbacks.handler]`, `general_settings.custom_auth`, a custom guardrail, ...) makes LiteLLM import that module from the config's directory when it starts: code from the repository runs with the gateway's environment (a warning). `validate --deep` removes these keys before it loads the candidate, so it neither runs nor checks that code.",
    fix: 'Keep it only if the module is yours and reviewed; review changes to it like code, since they are code. Built-in callback names (`prometheus`, `otel`, `langfuse`) do not load code and are not flagged.',
  },
  'output-outside-project': {
    cause: '`output` resolves outside the project directory.',
    fix: 'Keep the generated file inside the project, for example `config/litellm-unified.yaml`.',
  },
  'output-is-source': {
    cause: '`output` names one of the source files, which generate would overwrite.',
    fix: 'Choose another file name.',
  },
  'output-missing': {
    cause:
      'The generated file does not exist yet (a warning at validate; an error for generate --check, the pre-commit hook and --strict).',
    fix: 'Run `aibackend generate` and commit the file.',
  },
  'output-stale': {
    cause:
      "The generated file's body differs from what the sources compile to: a source changed and generate was not run (a header-only difference is not stale).",
    fix: 'Run `aibackend generate`; `generate --check` shows the difference.',
  },
  'output-hand-edited': {
    cause: 'The generated file was edited by hand: its body no longer matches the hash in its own header.',
    fix: 'Move the change into the sources (or `passthrough:`), then run `aibackend generate`, which discards the hand edit.',
  },
  'litellm-refused': {
    cause:
      "LiteLLM's own --validate_config (run by `validate --deep`) would not load the compiled config, so the gateway would not start with it; usually a passthrough value this version of LiteLLM does not take.",
    fix: 'Fix the key LiteLLM names (the finding points at it in gateway.yaml when it can), or pin the LiteLLM version the config was written for.',
  },
  'output-invalid': {
    cause: 'The compiled config breaks the LiteLLM config schema, usually through a `passthrough:` value of the wrong shape.',
    fix: 'Fix the passthrough value at the path the message gives.',
  },
  'kubernetes-invalid': {
    cause:
      'An object that `generate` would write into kubernetes/litellm.yaml breaks the Kubernetes API schema (checked with the kubernetes-models package), so `kubectl apply` would refuse it.',
    fix: 'Fix the `kubernetes:` value the message points at (a resource quantity, a name); nothing is written until it passes.',
  },
  'loopback-unreachable': {
    cause:
      "With kubernetes.enabled or runtime.kind swarm, a provider's base_url is on 127.0.0.1 or localhost: inside a pod or a task that address is the container itself, so the gateway would reach nothing there.",
    fix: 'Give the provider an address the containers can reach (a Service or service name, a node address, the docker bridge), or keep that provider for the host runtimes only.',
  },
};
