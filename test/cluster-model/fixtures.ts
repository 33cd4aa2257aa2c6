// Small objects shared by the cluster-model tests.
import type { Obj, PodTemplate } from '../support/cluster/index.js';

/** A pod template that passes Pod Security "restricted": one app container, a writable /tmp emptyDir. */
export function restrictedPod(overrides: { annotations?: Record<string, string>; requests?: Obj } = {}): PodTemplate {
  return {
    metadata: { labels: { app: 'web' }, annotations: { 'linkerd.io/inject': 'enabled', ...overrides.annotations } },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'ghcr.io/acme/web:1.0.0',
          ports: [{ containerPort: 8080, name: 'http' }],
          resources: { requests: overrides.requests ?? { cpu: '100m', memory: '128Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

/** A Deployment around a pod template. */
export function deployment(name: string, pod: PodTemplate): Obj {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { selector: { matchLabels: pod.metadata.labels }, template: pod } };
}

/** An autoscaling/v2 HPA of Deployment `name` with the given metrics. */
export function hpa(name: string, metrics: Obj[]): Obj {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: 3, metrics },
  };
}

export const cpuUtilization = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
