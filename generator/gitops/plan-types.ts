// The GitOps release plan's shape: what release-plan.ts builds, formats.ts prints, umbrella-objects.ts and secrets.ts
// contribute to.
import type { Catalog, Values } from '../charts/opta-base/catalog.js';
import type { MirrorRule } from '../fetch/mirrors.js';
import type { LockEntry } from '../fetch/upstream-lock.js';

export interface ChartPin {
  chart: string;
  version: string;
  /** The upstream repository, as in the catalog and the lock. */
  upstream: string;
  /** Where the chart is fetched from: the upstream, or its mirror. */
  repository: string;
  oci: boolean;
  /** `sha256:<hex>` of the chart archive, from the upstream lock; absent when upstream publishes none. */
  archiveDigest?: string;
  /** `sha256:<hex>` of the OCI manifest that carries exactly that archive, when resolved from an OCI mirror. */
  manifestDigest?: string;
}

export interface Release {
  /** Release name and node id: the component's name. */
  name: string;
  /** The umbrella's values key for it (the alias, for per-provider declarations). */
  key: string;
  namespace: string;
  chart: ChartPin;
  values: Values;
}

export interface PlanNamespace {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A node of the install order: a release, a group of plain manifests, or the namespaces. */
export interface PlanNode {
  id: string;
  needs: string[];
  /** Argo CD sync wave: 0 for the namespaces, then one more than the highest wave it needs. */
  wave: number;
}

export interface ReleasePlan {
  provider: string;
  releases: Release[];
  namespaces: PlanNamespace[];
  manifests: ManifestGroup[];
  secrets: RequiredSecret[];
  nodes: PlanNode[];
}

export interface PlanRequest {
  catalog: Catalog;
  catalogFile: string;
  lock: LockEntry[];
  provider: string;
  /** The user's opta-base values file, parsed, and its path for messages. */
  values: Values;
  file: string;
  mirrors: MirrorRule[];
}

export interface ManifestGroup {
  id: string;
  objects: Values[];
  /** Components that must be ready first (cert-manager serves these kinds). */
  needs: string[];
  /** Releases that need these objects first (the control plane needs its issuer Secret). */
  neededBy: string[];
}

export interface SecretKey {
  /** The key inside the Secret. */
  key: string;
  /** Dotted path in the values file holding the value; absent: the user supplies it (`placeholder`). */
  from?: string;
  placeholder?: string;
}

export interface RequiredSecret {
  namespace: string;
  name: string;
  type: 'Opaque' | 'kubernetes.io/tls';
  keys: SecretKey[];
  /** Which release reads it, and through which value. */
  usedBy: string;
}
