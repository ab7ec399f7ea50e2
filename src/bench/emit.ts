// The same scenario and mix for teams that run Locust or k6: a locustfile with a LoadTestShape
// that follows the scenario's users over time, and a k6 script with ramping-vus stages and the
// thresholds as k6 thresholds. The master key is read from the environment, never written.
import type { Scenario } from './load.js';
import { usersAt } from './load.js';
import { prompt } from './bench.js';

export interface EmitOptions {
  scenario: Scenario;
  mix: Record<string, number>;
  gatewayUrl: string;
  keyVariable: string;
  maxTokens: number;
  promptTokens: number;
  thresholds: { error_rate: number; p95_ms: number };
  header: string;
}

/** (second, users) change points of the scenario, for stage lists. */
export function stages(s: Scenario): { atS: number; users: number }[] {
  const out: { atS: number; users: number }[] = [];
  for (let t = 0; t <= s.durationS; t++) {
    const u = usersAt(s, t);
    if (out.length === 0 || out.at(-1)!.users !== u) out.push({ atS: t, users: u });
  }
  return out;
}

export function locustFile(o: EmitOptions): string {
  const st = stages(o.scenario);
  return `# ${o.header}
# Scenario ${o.scenario.name}: ${o.scenario.users} users, ${o.scenario.durationS} s. Run:
#   ${o.keyVariable}=... locust -f locustfile.py --headless --host ${o.gatewayUrl}
import os
import random

from locust import HttpUser, LoadTestShape, constant, task

KEY = os.environ.get(${JSON.stringify(o.keyVariable)}, "")
MIX = ${JSON.stringify(o.mix)}
NAMES = list(MIX)
WEIGHTS = [MIX[n] for n in NAMES]
PROMPT = ${JSON.stringify(prompt(o.promptTokens, 0).replace(/^Request 0\. /, ''))}
# (second, users): the users from that second on; the test ends at DURATION.
STAGES = ${JSON.stringify(st.map((x) => [x.atS, x.users]))}
DURATION = ${o.scenario.durationS}


class GatewayUser(HttpUser):
    host = ${JSON.stringify(o.gatewayUrl)}
    wait_time = constant(0)

    @task
    def chat(self):
        name = random.choices(NAMES, weights=WEIGHTS)[0]
        body = {"model": name, "max_tokens": ${o.maxTokens}, "messages": [{"role": "user", "content": f"Request {random.random()}. {PROMPT}"}]}
        with self.client.post("/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"}, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class ScenarioShape(LoadTestShape):
    def tick(self):
        t = self.get_run_time()
        if t >= DURATION:
            return None
        users = [u for (at, u) in STAGES if at <= t][-1]
        return (users, max(users, 1))
`;
}

export function k6Script(o: EmitOptions): string {
  const st = stages(o.scenario);
  const k6Stages: { duration: string; target: number }[] = [];
  for (let i = 0; i < st.length; i++) {
    const end = i + 1 < st.length ? st[i + 1]!.atS : o.scenario.durationS;
    k6Stages.push({ duration: '0s', target: st[i]!.users }, { duration: `${Math.max(0, end - st[i]!.atS)}s`, target: st[i]!.users });
  }
  return `// ${o.header}
// Scenario ${o.scenario.name}: ${o.scenario.users} users, ${o.scenario.durationS} s. Run:
//   k6 run -e ${o.keyVariable}=... -e GATEWAY=${o.gatewayUrl} k6.js
import http from 'k6/http';
import { check } from 'k6';

const GATEWAY = __ENV.GATEWAY || ${JSON.stringify(o.gatewayUrl)};
const KEY = __ENV.${o.keyVariable} || '';
const MIX = ${JSON.stringify(o.mix)};
const NAMES = Object.keys(MIX);
const TOTAL = NAMES.reduce((n, k) => n + MIX[k], 0);
const PROMPT = ${JSON.stringify(prompt(o.promptTokens, 0).replace(/^Request 0\. /, ''))};

export const options = {
  scenarios: {
    ${o.scenario.name}: { executor: 'ramping-vus', startVUs: 0, stages: ${JSON.stringify(k6Stages.filter((s, i) => i > 0 || s.target > 0))}, gracefulRampDown: '0s' },
  },
  thresholds: {
    http_req_failed: ['rate<=${o.thresholds.error_rate}'],
    http_req_duration: ['p(95)<=${o.thresholds.p95_ms}'],
  },
};

function pick() {
  let r = Math.random() * TOTAL;
  for (const n of NAMES) {
    r -= MIX[n];
    if (r < 0) return n;
  }
  return NAMES[NAMES.length - 1];
}

export default function () {
  const name = pick();
  const body = JSON.stringify({ model: name, max_tokens: ${o.maxTokens}, messages: [{ role: 'user', content: \`Request \${Math.random()}. \${PROMPT}\` }] });
  const res = http.post(\`\${GATEWAY}/v1/chat/completions\`, body, { headers: { 'content-type': 'application/json', authorization: \`Bearer \${KEY}\` }, tags: { name } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;
}
