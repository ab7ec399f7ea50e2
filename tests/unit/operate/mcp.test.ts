// The MCP pieces that need no server: the header per auth type, the one-line errors, the tool name
// and --args parsing of try --tool, the config's and the gateway's MCP server lists, and the copy
// --validate_config loads.
import { describe, expect, test } from 'vitest';
import { directMcpTarget, gatewayMcpTarget, mcpError } from '../../../src/client/mcp.js';
import { mcpServersOf, servedMcpServers } from '../../../src/client/deployments.js';
import { withoutMcpServers } from '../../../src/deploy/runtime/validate-config.js';
import { parseToolArgs, toolServer } from '../../../src/operate/try-tool.js';
import type { ProvidersFile } from '../../../src/config/schema/providers.js';
import { UsageError } from '../../../src/util/errors.js';

const env = { T: 'secret-value', BT: 'Bearer already', UP: 'user:pw', B64: 'dXNlcjpwdw==' };

describe('directMcpTarget: the header LiteLLM sends for each auth type', () => {
  const header = (type: string, variable = 'T') =>
    directMcpTarget({ url: 'http://127.0.0.1:1/mcp', auth: { type: type as 'bearer_token', token: `env:${variable}` } }, env)!.headers;
  test.each([
    ['bearer_token', 'T', { Authorization: 'Bearer secret-value' }],
    ['bearer_token', 'BT', { Authorization: 'Bearer already' }],
    ['token', 'T', { Authorization: 'token secret-value' }],
    ['authorization', 'BT', { Authorization: 'Bearer already' }],
    ['api_key', 'T', { 'X-API-Key': 'secret-value' }],
    ['basic', 'UP', { Authorization: 'Basic dXNlcjpwdw==' }],
    ['basic', 'B64', { Authorization: 'Basic dXNlcjpwdw==' }],
  ])('%s from $%s', (type, variable, expected) => expect(header(type, variable)).toEqual(expected));

  test('no header when the variable is unset; stdio and url-less servers are not reached directly', () => {
    expect(directMcpTarget({ url: 'http://127.0.0.1:1/mcp', auth: { type: 'bearer_token', token: 'env:NOPE' } }, env)!.headers).toEqual({});
    expect(directMcpTarget({ transport: 'stdio', command: ['x'] }, env)).toBeUndefined();
    expect(directMcpTarget({ transport: 'sse' }, env)).toBeUndefined();
    expect(directMcpTarget({ transport: 'sse', url: 'http://h/sse' }, env)).toMatchObject({ transport: 'sse', url: 'http://h/sse' });
  });

  test("the gateway's endpoint is <url>/mcp with the key as a bearer token", () => {
    expect(gatewayMcpTarget('http://127.0.0.1:4000/', 'k')).toEqual({
      url: 'http://127.0.0.1:4000/mcp',
      transport: 'http',
      headers: { Authorization: 'Bearer k' },
    });
    expect(gatewayMcpTarget('http://g', undefined).headers).toEqual({});
  });
});

describe('mcpError: one line for an operator', () => {
  const t = { url: 'http://127.0.0.1:9/mcp', transport: 'http' as const };
  test('a refused connection names the URL', () => {
    const err = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(mcpError(err, t)).toBe('connection refused at http://127.0.0.1:9/mcp');
    const sse = new Error('SSE error: TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9');
    expect(mcpError(sse, { ...t, transport: 'sse' })).toBe('connection refused at http://127.0.0.1:9/mcp');
  });
  test("an HTTP error keeps the status and what the server said, without the SDK's prefixes", () => {
    const err = Object.assign(new Error('Streamable HTTP error: Error POSTing to endpoint: {"detail":"No connected db."}'), { code: 400 });
    expect(mcpError(err, t)).toBe('HTTP 400: {"detail":"No connected db."}');
  });
  test('a long message is cut, and a key in it is masked', () => {
    const key = `sk-${'a'.repeat(40)}`;
    const out = mcpError(new Error(`bad key ${key} ${'x'.repeat(400)}`), t);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).not.toContain(key);
  });
});

describe('try --tool: the tool name and its arguments', () => {
  const providers = {
    version: 1,
    providers: {},
    mcp_servers: { demo_tools: { url: 'http://h/mcp' }, off: { url: 'http://h/mcp', status: 'disabled' } },
  } as ProvidersFile;
  test('<server>-<tool> of an active server', () => {
    expect(toolServer(providers, 'demo_tools-add')).toBe('demo_tools');
    expect(toolServer(providers, 'demo_tools-add-more')).toBe('demo_tools');
  });
  test.each([
    ['demo_tool-add', /did you mean a tool of 'demo_tools'/],
    ['demo_tools', /not <server>-<tool>/],
    ['demo_tools-', /not <server>-<tool>/],
    ['-add', /not <server>-<tool>/],
    ['off-add', /'off' is disabled/],
  ])('%s is a usage error', (tool, message) => {
    expect(() => toolServer(providers, tool)).toThrow(UsageError);
    expect(() => toolServer(providers, tool)).toThrow(message);
  });
  test('a registry without MCP servers says so', () => {
    expect(() => toolServer({ version: 1, providers: {} } as ProvidersFile, 'a-b')).toThrow(/names no MCP server/);
  });
  test('--args is a JSON object, or nothing', () => {
    expect(parseToolArgs(undefined)).toEqual({});
    expect(parseToolArgs('{"a": 2}')).toEqual({ a: 2 });
    for (const bad of ['[1]', '2', 'null', '"s"']) expect(() => parseToolArgs(bad)).toThrow(/JSON object/);
    expect(() => parseToolArgs('{a: 2}')).toThrow(/not JSON/);
  });
});

describe('MCP server lists: the config, the gateway, and the copy --validate_config loads', () => {
  const config =
    '# header\nmodel_list: []\nmcp_servers:\n  zeta:\n    url: http://h/mcp\n  alpha:\n    transport: stdio\n    command: x\ngeneral_settings: {}\n';
  test("the config's server names, sorted; none without the key", () => {
    expect(mcpServersOf(config)).toEqual(['alpha', 'zeta']);
    expect(mcpServersOf('model_list: []\n')).toBeUndefined();
    expect(mcpServersOf(undefined)).toBeUndefined();
  });
  test("the gateway's config-loaded servers only; anything else is not a list", () => {
    expect(
      servedMcpServers([
        { server_name: 'b', is_config: true },
        { server_name: 'db', is_config: false },
        { server_name: 'a', is_config: true },
      ]),
    ).toEqual(['a', 'b']);
    expect(servedMcpServers({ data: [] })).toBeUndefined();
  });
  test('the loaded copy has no mcp_servers and keeps the rest; a config without them is untouched', () => {
    const { text, omitted } = withoutMcpServers(config);
    expect(omitted).toBe(2);
    expect(text).toBe('# header\nmodel_list: []\ngeneral_settings: {}\n');
    expect(withoutMcpServers('model_list: []\n')).toEqual({ text: 'model_list: []\n', omitted: 0 });
  });
});
