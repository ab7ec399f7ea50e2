// A synthetic registry of a given scale (1 = 100 providers, 10,000 backend models, 10,000 public
// names, 1,000 aliases), written as config/ under dir. Usage: node bench/make-registry.mjs DIR [SCALE]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function makeRegistry(dir, scale) {
  const providers = 100 * scale;
  const perProvider = 100;
  const names = providers * perProvider;
  const aliases = 1000 * scale;
  const config = path.join(dir, 'config');
  mkdirSync(config, { recursive: true });
  const p = ['version: 1', 'providers:'];
  const ports = ['version: 1', 'ports:', '  gateway: { port: 4000 }'];
  for (let i = 0; i < providers; i++) {
    const type = ['ollama', 'vllm', 'llama_cpp', 'openai_compatible'][i % 4];
    p.push(
      `  prov-${i}:`,
      `    type: ${type}`,
      `    base_url: http://127.0.0.1:${20000 + i}${type === 'ollama' ? '' : '/v1'}`,
      '    models:',
    );
    for (let j = 0; j < perProvider; j++)
      p.push(
        `      - name: family-${j}/model-${i}-${j}:q4`,
        `        context_window: ${4096 * ((j % 8) + 1)}`,
        '        capabilities: [chat]',
      );
    ports.push(`  prov-${i}: { port: ${20000 + i} }`);
  }
  const m = ['version: 1', 'models:'];
  for (let k = 0; k < names; k++) {
    const i = k % providers;
    const j = Math.floor(k / providers);
    m.push(`  public-${k}:`, '    routes:', `      - provider: prov-${i}`, `        model: family-${j}/model-${i}-${j}:q4`);
    if (k % 10 === 0) {
      const i2 = (i + 1) % providers;
      m.push(`      - provider: prov-${i2}`, `        model: family-${j}/model-${i2}-${j}:q4`, '        weight: 2');
    }
    // Fallback chains that point only at higher numbers: long, never a cycle.
    if (k + 1 < names && k % 3 === 0) m.push(`    fallbacks: [public-${k + 1}${k + 7 < names ? `, public-${k + 7}` : ''}]`);
  }
  m.push('aliases:');
  for (let a = 0; a < aliases; a++) m.push(`  alias-${a}: public-${a * 7}`);
  writeFileSync(path.join(config, 'providers.yaml'), `${p.join('\n')}\n`);
  writeFileSync(path.join(config, 'model-mappings.yaml'), `${m.join('\n')}\n`);
  writeFileSync(path.join(config, 'ports.yaml'), `${ports.join('\n')}\n`);
  writeFileSync(path.join(config, 'gateway.yaml'), 'version: 1\n');
  return { providers, backendModels: providers * perProvider, names, aliases };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(makeRegistry(process.argv[2], Number(process.argv[3] ?? 1)));
}
