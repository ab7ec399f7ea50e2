// The monitoring stack as `aibackend generate` writes it: accepted by Prometheus' own promtool
// (config, rules, and every panel expression), dashboards that type-check against Grafana's
// schema (@grafana/schema), and drift in any of its files caught by validate and generate --check.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, tempDir } from '../helpers/fixtures.js';
import { grafanaExpr } from '../helpers/monitoring.js';
import { requireTool } from '../helpers/tools.js';

const ENV = { LITELLM_MASTER_KEY: 'sk-test-monitoring-0000', GRAFANA_ADMIN_PASSWORD: 'x' };
const G =
  'version: 1\ngateway:\n  url: http://127.0.0.1:4000\n  master_key: env:LITELLM_MASTER_KEY\n  image: ghcr.io/berriai/litellm:v1.106.12-stable\nmetrics: { prometheus: true }\ncache: { enabled: true }\nmonitoring:\n  enabled: true\n  grafana: { admin_password: env:GRAFANA_ADMIN_PASSWORD }\n';
const PORTS =
  'version: 1\nports:\n  gateway: { port: 4000 }\n  ollama: { port: 11434 }\n  vllm: { port: 8001 }\n  llama: { port: 8080 }\n  prometheus: { port: 9090 }\n  grafana: { port: 3000 }\n  redis: { port: 6379 }\n  redis_exporter: { port: 9121 }\n';
const PROVIDERS =
  'version: 1\nproviders:\n  ollama:\n    type: ollama\n    base_url: http://127.0.0.1:11434\n    models:\n      - name: llama3.1:8b\n      - name: qwen2.5-coder:7b\n  vllm:\n    type: vllm\n    base_url: http://127.0.0.1:8001/v1\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n  llama:\n    type: llama_cpp\n    base_url: http://127.0.0.1:8080/v1\n    metrics: /metrics\n    models:\n      - name: tiny\n';

const promtool = () => requireTool('promtool', 'Debian: apt-get install prometheus');

let project: string;
let mon: string;
const tool = promtool();

beforeAll(async () => {
  ({ project } = makeProject({ 'gateway.yaml': G, 'ports.yaml': PORTS, 'providers.yaml': PROVIDERS }));
  mon = path.join(project, 'monitoring');
  const r = await runCli(['generate'], { cwd: project, env: ENV });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/10 of the 10 other generated files written/);
  // Prometheus reads the gateway's key from this file; generate never writes it.
  mkdirSync(path.join(mon, 'secrets'), { recursive: true });
  writeFileSync(path.join(mon, 'secrets/litellm-master-key'), ENV.LITELLM_MASTER_KEY);
});

afterAll(() => cleanupTempDirs());

function dashboardFiles(): string[] {
  return readdirSync(path.join(mon, 'grafana/dashboards'))
    .sort()
    .map((f) => path.join(mon, 'grafana/dashboards', f));
}

describe.skipIf(!tool)('promtool accepts what generate writes', () => {
  test('promtool check config (which also checks rules.yml)', () => {
    const out = execFileSync(tool!, ['check', 'config', path.join(mon, 'prometheus.yml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
  });

  test('promtool check rules', () => {
    const out = execFileSync(tool!, ['check', 'rules', path.join(mon, 'rules.yml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('every panel expression of every dashboard parses (checked as recording rules)', () => {
    const exprs = dashboardFiles().flatMap((f) =>
      (JSON.parse(readFileSync(f, 'utf8')) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap((p) =>
        p.targets.map((t) => grafanaExpr(t.expr)),
      ),
    );
    expect(exprs.length).toBeGreaterThan(25);
    const rules = { groups: [{ name: 'panels', rules: exprs.map((expr, i) => ({ record: `panel:expr_${i}`, expr })) }] };
    const file = path.join(tempDir(), 'panels.yml');
    writeFileSync(file, JSON.stringify(rules));
    const r = spawnSync(tool!, ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(new RegExp(`SUCCESS: ${exprs.length} rules found`));
    expect(r.status).toBe(0);
    // and the check can fail: a broken expression is refused
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum(rate(foo[5m])' }] }] }));
    expect(spawnSync(tool!, ['check', 'rules', file], { encoding: 'utf8' }).status).not.toBe(0);
  });
});

describe("Grafana's dashboard schema", () => {
  test('each dashboard type-checks against @grafana/schema (Dashboard, Panel, DataQuery, VariableModel)', () => {
    const dir = tempDir();
    const types = `import type { Dashboard, Panel, DataQuery, VariableModel } from '@grafana/schema';
// Grafana's Prometheus query (public/app/plugins/datasource/prometheus/dataquery.cue): DataQuery plus these.
interface PromQuery extends DataQuery { expr: string; legendFormat?: string; range?: boolean; instant?: boolean }
type PromPanel = Omit<Panel, 'targets'> & { targets: PromQuery[] };
export type GeneratedDashboard = Omit<Dashboard, 'panels' | 'templating'> & { uid: string; panels: PromPanel[]; templating: { list: VariableModel[] } };
`;
    const body = dashboardFiles()
      .map((f, i) => `export const d${i} = ${readFileSync(f, 'utf8').trim()} satisfies GeneratedDashboard;\n`)
      .join('\n');
    const file = path.join(dir, 'dashboards.ts');
    writeFileSync(file, `${types}\n${body}`);
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = [
      tsc,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--target',
      'ES2022',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--typeRoots',
      path.join(ROOT, 'node_modules/@types'),
      '--baseUrl',
      ROOT,
      file,
    ];
    // tsc finds @grafana/schema from the file's directory upwards: link the project's node_modules.
    execFileSync('ln', ['-s', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')]);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    // and the check can fail: a field Grafana does not know is refused
    const first = readFileSync(dashboardFiles()[0]!, 'utf8').trim();
    writeFileSync(
      file,
      `${types}\nexport const bad = ${first.replace('"schemaVersion": 39', '"schemaVersion": 39, "panelz": []')} satisfies GeneratedDashboard;\n`,
    );
    const bad = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/TS2353: .*panelz.* does not exist in type 'GeneratedDashboard'/);
  }, 60_000);
});

describe('drift in the monitoring files', () => {
  test('a hand edit to a dashboard: validate and generate --check name the file and line; generate restores it', async () => {
    const file = path.join(mon, 'grafana/dashboards/overview.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('"refresh": "30s"', '"refresh": "5s"'));
    const v = await runCli(['validate', '--json'], { cwd: project, env: ENV });
    expect(v.exitCode).toBe(1);
    const d = (JSON.parse(v.stdout) as { diagnostics: { code: string; file: string; line: number }[] }).diagnostics.filter(
      (x) => x.code === 'output-hand-edited',
    );
    expect(d).toEqual([
      expect.objectContaining({
        file: 'monitoring/grafana/dashboards/overview.json',
        line: good.split('\n').findIndex((l) => l.includes('"refresh"')) + 1,
      }),
    ]);
    const c = await runCli(['generate', '--check'], { cwd: project, env: ENV });
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toMatch(/monitoring\/grafana\/dashboards\/overview\.json is hand-edited/);
    expect(c.stderr).toMatch(/-\s+"refresh": "5s"/);
    const g = await runCli(['generate'], { cwd: project, env: ENV });
    expect(g.exitCode, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/1 of the 10 other generated files written \(monitoring\/grafana\/dashboards\/overview\.json\)/);
    expect(readFileSync(file, 'utf8')).toBe(good);
  });

  test('a new public name makes the dashboards stale (their choices come from the registry); a deleted file is missing', async () => {
    const mappings = path.join(project, 'config/model-mappings.yaml');
    const before = readFileSync(mappings, 'utf8');
    const m = parse(before) as { models: Record<string, unknown> };
    m.models['extra-name'] = { routes: [{ provider: 'ollama', model: 'llama3.1:8b' }] };
    writeFileSync(mappings, JSON.stringify(m));
    const c = await runCli(['generate', '--check', '--json'], { cwd: project, env: ENV });
    expect(c.exitCode).toBe(1);
    const out = JSON.parse(c.stdout) as { status: string; monitoring: { files: { file: string; status: string }[] } };
    const stale = out.monitoring.files.filter((f) => f.status === 'stale').map((f) => f.file);
    expect(stale).toEqual(
      expect.arrayContaining(['monitoring/grafana/dashboards/overview.json', 'monitoring/grafana/dashboards/token-usage.json']),
    );
    // Prometheus' config does not name public names: only its provenance is older, which is not drift.
    expect(out.monitoring.files.find((f) => f.file === 'monitoring/prometheus.yml')!.status).toBe('header-outdated');
    writeFileSync(mappings, before);
    const rules = path.join(mon, 'rules.yml');
    const text = readFileSync(rules, 'utf8');
    execFileSync('rm', [rules]);
    const v = await runCli(['validate', '--strict', '--json'], { cwd: project, env: ENV });
    expect(v.exitCode).toBe(1);
    expect((JSON.parse(v.stdout) as { diagnostics: { code: string; file: string }[] }).diagnostics).toContainEqual(
      expect.objectContaining({ code: 'output-missing', file: 'monitoring/rules.yml' }),
    );
    writeFileSync(rules, text);
    expect((await runCli(['validate'], { cwd: project, env: ENV })).exitCode).toBe(0);
  });
});
