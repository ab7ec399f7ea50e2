// Each generated object against the Kubernetes API's own OpenAPI schema (the kubernetes-models
// package compiles it into validators): a field the API would refuse is found before `kubectl apply`.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';

type Obj = Record<string, unknown>;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** What the API schema refuses, one line per object ("Deployment litellm: data/spec/... must be integer"); empty when all are valid. */
export function kubernetesProblems(objects: Obj[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const kind = `${String(o.apiVersion)}/${String(o.kind)}`;
    const name = (o.metadata as { name?: string } | undefined)?.name ?? '?';
    const Model = MODELS[kind];
    if (!Model) {
      out.push(`${String(o.kind)} ${name}: no schema for ${kind}`);
      continue;
    }
    try {
      new Model(o as never).validate();
    } catch (err) {
      out.push(`${String(o.kind)} ${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}
