// The strict Kubernetes validator and the restricted-profile check must catch what they claim to catch.
import { describe, expect, test } from 'vitest';
import { validateK8sObject } from '../support/k8s-validate.js';
import { restrictedPssViolations } from '../support/restricted-pss.js';

function deployment(container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'hello-world' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image: 'x:1', ...container }] } },
      ...spec,
    },
  };
}

describe('validateK8sObject', () => {
  test('accepts a valid object', () => {
    expect(validateK8sObject(deployment({ ports: [{ name: 'http', containerPort: 8080 }] }, { replicas: 2 }))).toEqual([]);
  });

  test('rejects an unknown field at any depth, naming its path', () => {
    expect(validateK8sObject(deployment({ imagePullPolcy: 'Always' }))).toEqual([
      'Deployment/app: spec.template.spec.containers[0].imagePullPolcy: unknown field (not in V1Container)',
    ]);
    expect(validateK8sObject({ ...deployment({}), extra: 1 })).toEqual(['Deployment/app: extra: unknown field (not in V1Deployment)']);
  });

  test('rejects a wrong type', () => {
    const errors = validateK8sObject(deployment({}, { replicas: '3' }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Deployment\/app: spec\.replicas: must be integer/);
  });

  test('rejects a missing required field', () => {
    const errors = validateK8sObject(deployment({ name: undefined }));
    expect(errors.join('\n')).toMatch(/spec\.template\.spec\.containers\[0\]: must have required property name/);
    const noSelector = deployment({});
    delete (noSelector.spec as Record<string, unknown>).selector;
    expect(validateK8sObject(noSelector).join('\n')).toMatch(/Deployment\/app: spec: must have required property selector/);
  });

  test('walks maps and arrays of typed values (HPA metrics, Service ports)', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'app' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilisation: 80 } } }],
      },
    };
    expect(validateK8sObject(hpa)).toEqual([
      'HorizontalPodAutoscaler/app: spec.metrics[0].resource.target.averageUtilisation: unknown field (not in V2MetricTarget)',
    ]);
  });

  test('rejects an unknown apiVersion or kind instead of skipping it', () => {
    expect(validateK8sObject({ apiVersion: 'autoscaling/v2beta1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } })).toEqual([
      'HorizontalPodAutoscaler/x: unknown apiVersion/kind autoscaling/v2beta1 HorizontalPodAutoscaler',
    ]);
  });
});

describe('restrictedPssViolations', () => {
  const restricted = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };

  test('accepts a restricted pod', () => {
    expect(restrictedPssViolations(restricted)).toEqual([]);
  });

  test('names each violated rule', () => {
    const pod = {
      hostNetwork: true,
      securityContext: {},
      containers: [{ name: 'app', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } }, ports: [{ containerPort: 80, hostPort: 80 }] }],
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
    };
    // The one checker (test/support/cluster/pod-security.ts) words each failed check as the admission controller does.
    expect(restrictedPssViolations(pod)).toEqual([
      'host namespaces (hostNetwork=true)',
      'hostPort (container "app" uses hostPort 80)',
      'privileged (container "app" must not set securityContext.privileged=true)',
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
      'restricted volume types (volume "root" uses restricted volume type "hostPath")',
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });
});
