// Whether NetworkPolicies (networking.k8s.io/v1) let one connection through, as a conforming network plugin decides.
// Source: kubernetes/kubernetes v1.31 staging/src/k8s.io/api/networking/v1/types.go (field semantics) and
// kubernetes/website content/en/docs/concepts/services-networking/network-policies.md:
// - a pod is isolated in a direction once any policy of its namespace selects it with that policyType; then only
//   traffic some rule of those policies allows passes (policies add up);
// - a connection needs the source's egress AND the destination's ingress to allow it;
// - a peer with podSelector alone means pods of the policy's namespace, namespaceSelector alone every pod of the
//   matching namespaces, both: matching pods in matching namespaces; an empty `from`/`to` or `ports` matches all;
// - a port is a number or a named container port of the destination pod; endPort makes a range; protocol defaults TCP;
// - traffic to and from the node where the pod runs (kubelet probes, hostPort agents) is always allowed.
// ipBlock is matched against the addresses of endpoints outside the cluster only (for pod IPs it is
// implementation-defined).
import { matchesSelector, type Obj } from './objects.js';

/** One end of a connection: a pod (namespace, labels, its container ports), the node, or an outside address. */
export type Endpoint =
  | { kind: 'pod'; namespace: string; labels: Record<string, string>; ports?: { name?: string; containerPort: number; protocol?: string }[] }
  | { kind: 'node' }
  | { kind: 'external'; ip: string };

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

function peerMatches(peer: Obj, policyNamespace: string, other: Endpoint, namespaceLabels: (ns: string) => Record<string, string>): boolean {
  if (peer.ipBlock) return other.kind === 'external' && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip, c));
  if (other.kind !== 'pod') return false;
  const nsOk = peer.namespaceSelector ? matchesSelector(namespaceLabels(other.namespace), peer.namespaceSelector) : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? matchesSelector(other.labels, peer.podSelector) : true;
  return nsOk && podOk;
}

function portMatches(rulePort: Obj, conn: Connection, destination: Endpoint): boolean {
  if ((rulePort.protocol ?? 'TCP') !== (conn.protocol ?? 'TCP')) return false;
  if (rulePort.port === undefined) return true;
  let number = rulePort.port;
  if (typeof number === 'string') {
    if (destination.kind !== 'pod') return false;
    const named = (destination.ports ?? []).find((p) => p.name === number && (p.protocol ?? 'TCP') === (conn.protocol ?? 'TCP'));
    if (!named) return false;
    number = named.containerPort;
  }
  return rulePort.endPort !== undefined ? conn.port >= number && conn.port <= rulePort.endPort : conn.port === number;
}

/** Whether the policies let `conn` through one side: the ingress of `conn.to` or the egress of `conn.from`. */
function sideAllows(policies: Obj[], conn: Connection, direction: 'Ingress' | 'Egress', namespaceLabels: (ns: string) => Record<string, string>): boolean {
  const self = direction === 'Ingress' ? conn.to : conn.from;
  const other = direction === 'Ingress' ? conn.from : conn.to;
  if (self.kind !== 'pod') return true;
  if (other.kind === 'node') return true;
  const selecting = policies.filter((p) => {
    // policyTypes defaults to Ingress, plus Egress when the policy has egress rules.
    const types: string[] = p.spec?.policyTypes ?? ['Ingress', ...(p.spec?.egress ? ['Egress'] : [])];
    return (p.metadata?.namespace ?? self.namespace) === self.namespace && types.includes(direction) && matchesSelector(self.labels, p.spec?.podSelector ?? {});
  });
  if (!selecting.length) return true;
  return selecting.some((p) =>
    (p.spec?.[direction === 'Ingress' ? 'ingress' : 'egress'] ?? []).some((rule: Obj) => {
      const peers: Obj[] = rule[direction === 'Ingress' ? 'from' : 'to'] ?? [];
      const ports: Obj[] = rule.ports ?? [];
      const peerOk = !peers.length || peers.some((peer) => peerMatches(peer, p.metadata?.namespace ?? self.namespace, other, namespaceLabels));
      return peerOk && (!ports.length || ports.some((rp) => portMatches(rp, conn, conn.to)));
    }),
  );
}

/**
 * Whether the NetworkPolicies among `objects` allow `conn`. Namespaces carry the `kubernetes.io/metadata.name`
 * label the API server sets, plus `namespaceLabels[ns]`.
 */
export function networkPolicyAllows(objects: Obj[], conn: Connection, namespaceLabels: Record<string, Record<string, string>> = {}): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1');
  const labelsOf = (ns: string) => ({ ...(namespaceLabels[ns] ?? {}), 'kubernetes.io/metadata.name': ns });
  return sideAllows(policies, conn, 'Egress', labelsOf) && sideAllows(policies, conn, 'Ingress', labelsOf);
}
