// networkPolicyAllows: NetworkPolicy semantics, rule by rule.
import { describe, expect, test } from 'vitest';
import { type Endpoint, networkPolicyAllows, type Obj } from '../support/cluster/index.js';

const web: Endpoint = { kind: 'pod', namespace: 'web', labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] };
const peer = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({ kind: 'pod', namespace, labels });
const policy = (spec: Obj, namespace = 'web'): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace }, spec });

describe('networkPolicyAllows', () => {
  test('no policy selecting a pod: everything passes; one that selects it: only what a rule allows', () => {
    expect(networkPolicyAllows([], { from: peer('other'), to: web, port: 1 })).toBe(true);
    const denyAll = policy({ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    expect(networkPolicyAllows([denyAll], { from: peer('web'), to: web, port: 8080 })).toBe(false);
    expect(networkPolicyAllows([policy({ podSelector: { matchLabels: { app: 'other' } } })], { from: peer('x'), to: web, port: 8080 })).toBe(true);
  });

  test('peers: podSelector alone is the policy\'s namespace, namespaceSelector alone any pod there, both combined', () => {
    const rule = (from: Obj[]) => [policy({ podSelector: {}, ingress: [{ from }] })];
    expect(networkPolicyAllows(rule([{ podSelector: {} }]), { from: peer('web'), to: web, port: 8080 })).toBe(true);
    expect(networkPolicyAllows(rule([{ podSelector: {} }]), { from: peer('other'), to: web, port: 8080 })).toBe(false);
    const byName = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } } };
    expect(networkPolicyAllows(rule([byName]), { from: peer('edge'), to: web, port: 8080 })).toBe(true);
    const both = [{ ...byName, podSelector: { matchLabels: { role: 'proxy' } } }];
    expect(networkPolicyAllows(rule(both), { from: peer('edge'), to: web, port: 8080 })).toBe(false);
    expect(networkPolicyAllows(rule(both), { from: peer('edge', { role: 'proxy' }), to: web, port: 8080 })).toBe(true);
  });

  test('ports: by number, by the destination\'s port name, ranges, protocol defaulting to TCP', () => {
    const allow = (ports: Obj[]) => [policy({ podSelector: {}, ingress: [{ ports }] })];
    expect(networkPolicyAllows(allow([{ port: 'http' }]), { from: peer('x'), to: web, port: 8080 })).toBe(true);
    expect(networkPolicyAllows(allow([{ port: 'grpc' }]), { from: peer('x'), to: web, port: 8080 })).toBe(false);
    expect(networkPolicyAllows(allow([{ port: 8000, endPort: 8100 }]), { from: peer('x'), to: web, port: 8080 })).toBe(true);
    expect(networkPolicyAllows(allow([{ port: 8080 }]), { from: peer('x'), to: web, port: 8080, protocol: 'UDP' })).toBe(false);
  });

  test('egress: isolated only with an Egress policy type; ipBlock with except; the node is always reachable', () => {
    const egress = [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })];
    expect(networkPolicyAllows(egress, { from: web, to: { kind: 'external', ip: '10.2.3.4' }, port: 5432 })).toBe(true);
    expect(networkPolicyAllows(egress, { from: web, to: { kind: 'external', ip: '10.1.3.4' }, port: 5432 })).toBe(false);
    expect(networkPolicyAllows(egress, { from: web, to: peer('web'), port: 80 })).toBe(false);
    expect(networkPolicyAllows(egress, { from: web, to: { kind: 'node' }, port: 8126 })).toBe(true);
    // Ingress is not isolated by an Egress-only policy.
    expect(networkPolicyAllows(egress, { from: peer('other'), to: web, port: 8080 })).toBe(true);
  });

  test('a connection needs both the source\'s egress and the destination\'s ingress', () => {
    const client: Endpoint = { kind: 'pod', namespace: 'client', labels: {} };
    const clientEgress = policy({ podSelector: {}, policyTypes: ['Egress'], egress: [] }, 'client');
    expect(networkPolicyAllows([clientEgress], { from: client, to: web, port: 8080 })).toBe(false);
  });
});
