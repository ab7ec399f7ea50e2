// Kubernetes manifests for the gateway (kubernetes.enabled): the same topology as the replicas
// behind HAProxy, with Kubernetes doing what aibackend's roll does on one host (start-first
// rolling updates, readiness-gated, supervision). Compiled deterministically from gateway.yaml and
// the compiled LiteLLM config; secrets are referenced by name, never embedded.
import type { GatewayFile } from '../config/schema/gateway.js';
import { writeYaml } from '../config/emit/yaml-writer.js';
import { sha256 } from '../util/canonical.js';

export const KUBERNETES_FILE = 'litellm.yaml';
/** Where the config is mounted in the pod. */
const CONFIG_IN_POD = '/app/config.yaml';
const CONFIG_KEY = 'config.yaml';
export const CONFIG_ANNOTATION = 'aibackend.io/config-sha256';

type Obj = Record<string, unknown>;

/** Every object, in apply order: ConfigMap, Deployment, Service, PodDisruptionBudget, and the HPA when asked for. */
export function kubernetesObjects(gw: GatewayFile, configBody: string, variables: readonly string[]): Obj[] {
  const k = gw.kubernetes;
  const hash = sha256(configBody);
  const configMap = `${k.name}-config-${hash.slice(0, 10)}`;
  const labels = { 'app.kubernetes.io/name': k.name, 'app.kubernetes.io/part-of': 'aibackend' };
  const meta = (name: string) => ({ name, namespace: k.namespace, labels });
  const replicas = k.replicas ?? Math.max(2, gw.replicas);
  const probe = (p: string, period: number, failures: number) => ({
    httpGet: { path: p, port: 'http' },
    periodSeconds: period,
    timeoutSeconds: 5,
    failureThreshold: failures,
  });
  // The master key and every os.environ/VAR of the config, each from the Secret.
  const secretVars = [...new Set([...variables, ...masterKeyVar(gw)])].sort();
  const resources = {
    requests: { cpu: k.resources.requests.cpu, memory: k.resources.requests.memory },
    limits: { ...(k.resources.limits.cpu ? { cpu: k.resources.limits.cpu } : {}), memory: k.resources.limits.memory },
  };
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(configMap), data: { [CONFIG_KEY]: configBody } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(k.name),
      spec: {
        // With an HPA, the autoscaler owns the count; a replicas field would reset it on every apply.
        ...(k.hpa ? {} : { replicas }),
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        // A pod counts as available once it has been ready this long (LiteLLM answers readiness
        // as soon as it serves; a short wait catches one that dies right after).
        minReadySeconds: 5,
        progressDeadlineSeconds: Math.max(120, Math.ceil(gw.health.timeout_s * 2)),
        template: {
          metadata: { labels, annotations: { [CONFIG_ANNOTATION]: hash } },
          spec: {
            // LiteLLM finishes what it serves on SIGTERM; a drained pod leaves the Service's endpoints first.
            terminationGracePeriodSeconds: Math.ceil(gw.router.timeout_s) + 15,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: k.run_as_user,
              runAsGroup: k.run_as_user,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'litellm',
                image: gw.gateway.image,
                args: ['--config', CONFIG_IN_POD, '--host', '0.0.0.0', '--port', String(k.port)],
                ports: [{ name: 'http', containerPort: k.port, protocol: 'TCP' }],
                env: [
                  { name: 'LITELLM_LOCAL_MODEL_COST_MAP', value: 'True' },
                  { name: 'HF_HUB_OFFLINE', value: '1' },
                  { name: 'LITELLM_LOG', value: 'INFO' },
                  ...secretVars.map((v) => ({ name: v, valueFrom: { secretKeyRef: { name: k.secret, key: v } } })),
                ],
                readinessProbe: probe('/health/readiness', 5, 3),
                livenessProbe: probe('/health/liveliness', 10, 6),
                startupProbe: probe('/health/liveliness', 2, Math.max(30, Math.ceil(gw.health.timeout_s / 2))),
                resources,
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'config', mountPath: CONFIG_IN_POD, subPath: CONFIG_KEY, readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: configMap } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(k.name),
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: k.port, targetPort: 'http', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(k.name),
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
  ];
  if (k.hpa)
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(k.name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: k.name },
        minReplicas: k.hpa.min_replicas,
        maxReplicas: k.hpa.max_replicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: k.hpa.cpu_percent } } }],
      },
    });
  return objects;
}

function masterKeyVar(gw: GatewayFile): string[] {
  const m = /^env:(\w+)$/.exec(gw.gateway.master_key);
  return m ? [m[1]!] : [];
}

/** The objects as one file of YAML documents. */
export function kubernetesFile(objects: Obj[]): string {
  return objects.map((o) => writeYaml(o)).join('---\n');
}
