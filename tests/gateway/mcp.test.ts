// MCP servers from the registry to the real LiteLLM and back: real MCP servers (the official
// Python SDK's MCPServer over streamable HTTP on loopback, scripts/mcp-demo-server.py, on the
// LiteLLM virtualenv's own `mcp` package) registered in providers.yaml, compiled, reloaded into
// the real gateway (process runtime), then status, verify, try --tool and explain against it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  MASTER_KEY,
  makeGatewayProject,
  providersYaml,
  requireLitellm,
  startFakes,
  stopGateway,
  type GatewayProject,
} from '../helpers/gateway.js';
import { jsonOf } from '../helpers/schemas.js';

const bin = requireLitellm();
const TOKEN = 'mcp-test-token-0123456789';
const ENV = { ...GATEWAY_ENV, TOOLS_TOKEN: TOKEN };

/** A demo MCP server on this port; resolves once it answers (wrapped: the process is itself a promise of its exit). */
async function startMcp(python: string, port: number, name: string, extra: string[] = []): Promise<{ proc: ResultPromise }> {
  const args = [path.join(ROOT, 'scripts/mcp-demo-server.py'), '--port', String(port), '--name', name, ...extra];
  const proc = execa(python, args, { env: ENV, reject: false, all: true });
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      return { proc };
    } catch {
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  proc.kill('SIGKILL');
  throw new Error(`the MCP demo server on ${port} did not start: ${String((await proc).all ?? '')}`);
}

describe.skipIf(!bin)('MCP servers: registry, compiled config, the real gateway, tool calls', { timeout: GATEWAY_TEST_MS }, () => {
  let fakes: Awaited<ReturnType<typeof startFakes>>;
  let gw: GatewayProject;
  let tools: ResultPromise | undefined, spare: ResultPromise | undefined, sse: ResultPromise | undefined;
  let ports: { tools: number; spare: number; sse: number; off: number };
  let providers: string;
  let python: string;
  const cli = (...args: string[]) => runCli(args, { cwd: gw.project, env: ENV, timeout: GATEWAY_TEST_MS });
  const json = (schema: string, ...args: string[]) => jsonOf(cli, schema, ...args);
  const mcpBlock = (toolsPort: number) => `mcp_servers:
  tools:
    url: http://127.0.0.1:${toolsPort}/mcp
    description: Demo tools behind a bearer token
    auth: { type: bearer_token, token: env:TOOLS_TOKEN }
  spare:
    url: http://127.0.0.1:${ports.spare}/mcp
  sse_tools:
    transport: sse
    url: http://127.0.0.1:${ports.sse}/sse
  local:
    transport: stdio
    command: [${python}, ${path.join(ROOT, 'scripts/mcp-demo-server.py')}, --transport, stdio, --name, local]
  off:
    url: http://127.0.0.1:${ports.off}/mcp
    status: disabled
`;

  beforeAll(async () => {
    python = path.join(path.dirname(bin!), 'python');
    ports = { tools: await freePort(), spare: await freePort(), sse: await freePort(), off: await freePort() };
    const started = await Promise.all([
      startMcp(python, ports.tools, 'tools', ['--token-env', 'TOOLS_TOKEN']),
      startMcp(python, ports.spare, 'spare'),
      startMcp(python, ports.sse, 'sse', ['--transport', 'sse']),
    ]);
    [tools, spare, sse] = started.map((s) => s.proc);
    fakes = await startFakes();
    gw = await makeGatewayProject({ bin: bin!, ...fakes });
    providers = `${providersYaml(fakes)}${mcpBlock(ports.tools)}`;
    // The gateway starts the stdio server itself, only with LITELLM_ENABLE_MCP_STDIO=true.
    const g = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.rebase({
      'providers.yaml': providers,
      'gateway.yaml': g.replace(
        '    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n',
        '    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n    LITELLM_ENABLE_MCP_STDIO: "true"\n',
      ),
    });
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    for (const p of [tools, spare, sse]) p?.kill('SIGKILL');
    await Promise.all([tools, spare, sse].map((p) => p?.catch(() => undefined)));
    await Promise.all(Object.values(fakes ?? {}).map((s: FakeServer) => s.close()));
    cleanupTempDirs();
  });

  test('reload compiles the active servers and proves the gateway registered exactly those', async () => {
    const { code, out } = await json('reload', 'reload', '--yes');
    expect(code, JSON.stringify(out)).toBe(0);
    const steps = out.probes.at(-1).steps.map((s: { step: string; ok: boolean }) => [s.step, s.ok]);
    expect(steps).toContainEqual(['mcp_servers', true]);
    const compiled = readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8');
    expect(compiled).toContain(
      `\n  spare:\n    url: http://127.0.0.1:${ports.spare}/mcp\n    transport: http\n  sse_tools:\n    url: http://127.0.0.1:${ports.sse}/sse\n    transport: sse\n  tools:`,
    );
    expect(compiled).toContain('authentication_token: os.environ/TOOLS_TOKEN');
    expect(compiled).toMatch(/mcp_servers:\n {2}local:\n {4}command: \S+python\n {4}args:\n/);
    expect(compiled).not.toContain(TOKEN);
    expect(compiled).not.toContain(String(ports.off));
    const res = await fetch(`${gw.url}/v1/mcp/server`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
    const registered = ((await res.json()) as { server_name: string }[]).map((s) => s.server_name).sort();
    expect(registered).toEqual(['local', 'spare', 'sse_tools', 'tools']);
  });

  test("validate --deep loads the compiled file without mcp_servers (the pinned LiteLLM's --validate_config never exits with them), and says so", async () => {
    const r = await runCli(['validate', '--deep', '--json', '--litellm', bin!], { cwd: gw.project, env: ENV, timeout: GATEWAY_TEST_MS });
    const out = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/report.schema.json'), 'utf8'));
    expect(new Ajv({ allErrors: true, strict: true }).validate(schema, out)).toBe(true);
    expect(out.deep).toMatchObject({ ran: true, ok: true, mcpServersOmitted: 4 });
    expect(r.exitCode).toBe(0);
  });

  test('status asks each server directly: tools over its bearer token, the disabled one not probed', async () => {
    await gw.baseline(ENV);
    const { code, out } = await json('status', 'status', '--timeout', '10');
    const byId = Object.fromEntries(out.mcp_servers.map((m: { id: string }) => [m.id, m]));
    expect(byId.tools).toMatchObject({ state: 'up', tools: ['add', 'echo', 'now'], server: { name: 'tools' } });
    expect(byId.spare).toMatchObject({ state: 'up', tools: ['add', 'echo', 'now'] });
    expect(byId.sse_tools).toMatchObject({ transport: 'sse', state: 'up', tools: ['add', 'echo', 'now'] });
    expect(byId.off).toMatchObject({ state: 'not-probed', reason: 'disabled', tools: [] });
    expect(byId.local).toMatchObject({ transport: 'stdio', state: 'not-probed', tools: [] });
    expect(byId.local.reason).toMatch(/the gateway runs it/);
    expect(code, JSON.stringify(out)).toBe(0);
    const text = await cli('status', '--timeout', '10');
    expect(text.stdout).toMatch(/tools\s+http\s+up\s+\d+ ms\s+3\s+add, echo, now/);
  });

  test("verify finds every active server's tools at the gateway's /mcp, and none of the disabled one", async () => {
    await gw.baseline(ENV);
    const { code, out } = await json('verify', 'verify', '--requests', '16');
    expect(out.mcp.findings, JSON.stringify(out.mcp, null, 2)).toEqual([]);
    const byId = Object.fromEntries(out.mcp.servers.map((v: { id: string }) => [v.id, v]));
    expect(byId.tools.gateway_tools).toEqual(['tools-add', 'tools-echo', 'tools-now']);
    expect(byId.spare.gateway_tools).toEqual(['spare-add', 'spare-echo', 'spare-now']);
    expect(byId.sse_tools.gateway_tools).toEqual(['sse_tools-add', 'sse_tools-echo', 'sse_tools-now']);
    expect(byId.off.gateway_tools).toEqual([]);
    expect(byId.local.gateway_tools).toEqual(['local-add', 'local-echo', 'local-now']);
    expect(out.mcp.listed).toBe(12);
    expect(code).toBe(0);
  });

  test('try --tool calls a tool through the gateway, which authenticates to the server with the env token', async () => {
    await gw.baseline(ENV);
    const { code, out } = await json('try', 'try', '--tool', 'tools-add', '--args', '{"a": 2, "b": 40}');
    expect(out).toMatchObject({ tool: 'tools-add', server: 'tools', ok: true, structured: { result: 42 }, exit_code: 0 });
    expect(code).toBe(0);
    const overSse = await json('try', 'try', '--tool', 'sse_tools-echo', '--args', '{"text": "through SSE"}');
    expect(overSse.out).toMatchObject({ server: 'sse_tools', ok: true, text: 'through SSE' });
    const overStdio = await json('try', 'try', '--tool', 'local-echo', '--args', '{"text": "through stdio"}');
    expect(overStdio.out).toMatchObject({ server: 'local', ok: true, text: 'through stdio' });
    const bad = await json('try', 'try', '--tool', 'tools-add', '--args', '{"a": "two"}');
    expect(bad.out).toMatchObject({ ok: false, tool_error: true });
    expect(bad.code).toBe(1);
    const off = await cli('try', '--tool', 'off-add');
    expect(off.exitCode).toBe(2);
    expect(off.stderr).toMatch(/'off' is disabled/);
  });

  test('explain shows an MCP server: what the gateway gets, and where its tools appear', async () => {
    const { code, out } = await json('explain', 'explain', 'tools');
    expect(code).toBe(0);
    expect(out).toMatchObject({
      mcp_server: 'tools',
      status: 'active',
      auth: { type: 'bearer_token', variable: 'TOOLS_TOKEN' },
      compiled: { auth_type: 'bearer_token', authentication_token: 'os.environ/TOOLS_TOKEN' },
      tools_at: { endpoint: `${gw.url}/mcp`, prefix: 'tools-' },
    });
    expect((await json('explain', 'explain', 'off')).out).toMatchObject({ status: 'disabled', compiled: null });
  });

  test('a wrong URL is found by status, with what the connection said; nothing is reloaded for it', async () => {
    const wrong = await freePort();
    gw.write({ 'providers.yaml': `${providersYaml(fakes)}${mcpBlock(wrong)}` });
    try {
      const { code, out } = await json('status', 'status', '--timeout', '5');
      const t = out.mcp_servers.find((m: { id: string }) => m.id === 'tools');
      expect(t).toMatchObject({ state: 'down', url: `http://127.0.0.1:${wrong}/mcp` });
      expect(t.error).toMatch(/connection refused/);
      expect(out.ok).toBe(false);
      expect(code).toBe(1);
    } finally {
      gw.write({ 'providers.yaml': providers });
    }
  });

  test('disabling a server and reloading: the gateway drops it, and the probe proves that before reporting success', async () => {
    gw.write({
      'providers.yaml': providers.replace(
        `  spare:\n    url: http://127.0.0.1:${ports.spare}/mcp\n`,
        `  spare:\n    url: http://127.0.0.1:${ports.spare}/mcp\n    status: disabled\n`,
      ),
    });
    try {
      const { code, out } = await json('reload', 'reload', '--yes');
      expect(code, JSON.stringify(out)).toBe(0);
      const step = out.probes.at(-1).steps.find((x: { step: string }) => x.step === 'mcp_servers');
      expect(step).toMatchObject({ ok: true, detail: '3 MCP servers registered as compiled' });
      const v = await json('verify', 'verify', '--requests', '16');
      expect(v.out.mcp.findings).toEqual([]);
      expect(v.out.mcp.servers.find((x: { id: string }) => x.id === 'spare').gateway_tools).toEqual([]);
      expect(v.out.mcp.listed).toBe(9);
    } finally {
      gw.write({ 'providers.yaml': providers });
    }
  });

  test('an MCP server that goes away is found by verify, at the gateway and directly', async () => {
    await gw.baseline(ENV);
    spare!.kill('SIGKILL');
    await spare!.catch(() => undefined);
    spare = undefined;
    const { code, out } = await json('verify', 'verify', '--requests', '16');
    const kinds = out.mcp.findings.map((f: { kind: string; server?: string }) => [f.kind, f.server]);
    expect(kinds).toEqual([['mcp-server-missing', 'spare']]);
    expect(out.mcp.findings[0].message).toMatch(/connection refused/);
    expect(out.mcp.servers.find((v: { id: string }) => v.id === 'tools').gateway_tools).toHaveLength(3);
    expect(code).toBe(1);
  });
});
