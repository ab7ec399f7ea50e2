// The catalogue of diagnostic codes. Codes are a stable contract (CI scripts and editors key on
// them); the text that describes each one is for reports that list rules (SARIF, --help).

export const CODES = {
  // [check, description]
  // loading
  'file-missing': ['loading', 'A required source file does not exist'],
  'file-unreadable': ['loading', 'A source file could not be read'],
  'file-too-large': ['loading', 'A source file is larger than the size limit'],
  'file-binary': ['loading', 'A source file contains binary data'],
  'file-encoding': ['loading', 'A source file is not valid UTF-8'],
  'path-outside-project': ['loading', 'A source, compose or generated file resolves (through a symlink) outside the project'],
  'file-empty': ['loading', 'A source file is empty or holds only comments'],
  'yaml-syntax': ['loading', 'The YAML does not parse'],
  'yaml-duplicate-key': ['loading', 'A mapping has the same key twice'],
  'yaml-alias-limit': ['loading', 'Too many YAML aliases (a resource exhaustion attack or a runaway anchor)'],
  'yaml-multi-document': ['loading', 'A source file holds more than one YAML document'],
  'yaml-tag': ['loading', 'A YAML tag that is not allowed in sources'],
  'not-a-mapping': ['loading', 'The top level of a source file is not a mapping'],
  // shape
  'unsupported-version': ['shape', 'The version field is missing or not a supported version'],
  'unknown-key': ['shape', 'A key that the format does not define'],
  'missing-key': ['shape', 'A required key is missing'],
  'invalid-type': ['shape', 'A value has the wrong type'],
  'invalid-value': ['shape', 'A value is not one of the allowed values'],
  'invalid-url': ['shape', 'A URL is malformed or uses an unsupported scheme'],
  'url-credentials': ['shape', 'A URL carries credentials'],
  'url-path': ['shape', 'A base_url path LiteLLM cannot use for the provider type (Ollama with /v1, vLLM without /v1)'],
  'invalid-id': ['shape', 'A provider id does not match ^[a-z][a-z0-9_-]*$'],
  'invalid-public-name': ['shape', 'A public model name or alias is empty or contains whitespace'],
  'invalid-env-ref': ['shape', 'A secret reference is not of the form env:VAR_NAME'],
  'out-of-range': ['shape', 'A number is outside its allowed range'],
  'missing-base-url': ['shape', 'A provider type that needs base_url has none'],
  'provider-without-models': ['shape', 'An active provider lists no models'],
  'duplicate-backend-model': ['shape', 'A backend model is listed twice by one provider'],
  'mcp-server-id': ['shape', "An MCP server id holds '-', LiteLLM's separator between server and tool names"],
  'mcp-transport': ['shape', 'An MCP server lacks the url or command its transport needs, or has the one it must not'],
  'mcp-url-path': ['shape', "An MCP server's URL path belongs to the other HTTP transport (/sse with http, /mcp with sse)"],
  'mcp-stdio': ['shape', 'A stdio MCP server: the gateway runs its command, and only with LITELLM_ENABLE_MCP_STDIO=true'],
  // references
  'unknown-provider': ['references', 'A route names a provider that is not registered'],
  'disabled-provider': ['references', 'A route names a disabled provider'],
  'unknown-backend-model': ['references', 'A route names a backend model its provider does not list'],
  'backend-mode-mismatch': ['references', 'A public name routes to chat and embedding models at once'],
  'fallback-mode-mismatch': ['references', 'A fallback (or an alias used as one) is of another mode (chat or embedding)'],
  'unknown-fallback': ['references', 'A fallback names an unknown public name'],
  'self-fallback': ['references', 'A public name falls back to itself'],
  'fallback-cycle': ['references', 'Fallbacks form a cycle'],
  'duplicate-fallback': ['references', 'A fallback is listed twice'],
  'unknown-alias-target': ['references', 'An alias points at an unknown public name'],
  'alias-to-alias': ['references', 'An alias points at another alias'],
  'alias-shadows-model': ['references', 'An alias has the same name as a public model'],
  'duplicate-route': ['references', 'A public name lists the same provider and backend model twice'],
  'unused-provider': ['references', 'An active provider that no route uses'],
  'no-public-models': ['references', 'No public model is defined: the gateway would serve nothing'],
  // secrets
  'secret-literal': ['secrets', 'A literal secret where env:VAR belongs'],
  'secret-in-source': ['secrets', 'Something that looks like a credential appears in a source file'],
  'env-unset': ['secrets', 'An env: variable is not set in this environment'],
  // ports
  'port-conflict': ['ports', 'Two services share one port'],
  'port-unregistered': ['ports', 'A port that is not in the ports registry'],
  'port-reserved': ['ports', 'A service uses a reserved port'],
  // gateway
  'image-floating-tag': ['gateway', 'The gateway image has a floating tag'],
  'image-compromised': ['gateway', 'The gateway image is a LiteLLM release known to be compromised'],
  'image-mismatch': ['gateway', 'docker-compose.yml runs another image than gateway.image'],
  'compose-file-missing': ['gateway', 'runtime.file names a compose file that does not exist, or lacks runtime.service'],
  'replica-ports': ['gateway', "replicas >= 2 without one distinct replica port each, apart from the load balancer's"],
  'replica-port-placeholder': ['gateway', 'Replicas of the process runtime need {port} in runtime.command'],
  'replicas-without-redis': ['gateway', 'Several replicas without Redis for shared router state and cache'],
  'monitoring-needs-metrics': ['gateway', 'monitoring.enabled without metrics.prometheus'],
  'monitoring-dir-conflict': ['gateway', 'monitoring.dir is the project directory or overlaps the config directory'],
  'alerting-needs-monitoring': ['gateway', 'monitoring.alerting.enabled without monitoring.enabled'],
  'alerting-no-receiver': ['gateway', 'monitoring.alerting routes alerts to nobody'],
  'not-implemented': ['gateway', 'A setting the format defines that this version does not act upon yet'],
  'passthrough-unknown-key': ['gateway', 'A passthrough key that the pinned LiteLLM does not accept in its section'],
  'passthrough-override': ['gateway', 'A passthrough key that would replace a setting aibackend compiles'],
  'passthrough-loads-code': ['gateway', 'A passthrough key that makes LiteLLM import Python code at start-up'],
  'output-outside-project': ['gateway', 'The output path leaves the project directory'],
  'output-is-source': ['gateway', 'The output path would overwrite a source file'],
  'loopback-unreachable': ['gateway', 'A provider on loopback, which the pods (kubernetes) or swarm tasks cannot reach'],
  // output
  'output-missing': ['output', 'The generated file does not exist'],
  'output-stale': ['output', 'The generated file was compiled from other sources'],
  'output-hand-edited': ['output', 'The generated file was edited by hand'],
  'litellm-refused': ['output', 'The installed LiteLLM refuses the compiled config (validate --deep)'],
  'output-invalid': ['output', 'The compiled config does not match the LiteLLM config schema'],
  'kubernetes-invalid': ['output', 'A generated Kubernetes object breaks the Kubernetes API schema'],
} as const;

export type Code = keyof typeof CODES;

/** The codes that are warnings (errors only under --strict); every other code is an error. */
export const WARNING_CODES: ReadonlySet<Code> = new Set<Code>([
  'image-floating-tag',
  'port-unregistered',
  'env-unset',
  'unused-provider',
  'output-missing',
  'replicas-without-redis',
  'not-implemented',
  'mcp-url-path',
  'mcp-stdio',
  'alerting-no-receiver',
  'loopback-unreachable',
]);
export type CheckName = (typeof CODES)[Code][0];

/** The checks that validate runs, in report order; each code belongs to exactly one. */
export const CHECKS = ['loading', 'shape', 'references', 'secrets', 'ports', 'gateway', 'output'] as const;

export function checkOf(code: Code): CheckName {
  return CODES[code][0];
}
