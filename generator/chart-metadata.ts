// Chart.yaml's shape, as Helm models it (helm/helm v4.1.4 pkg/chart/v2/metadata.go and dependency.go): the one
// definition every part uses (synthesis, Chart.lock, the OCI config blob, the repository index). Only the fields
// opta-charts reads are typed; the rest pass through.

/** A Chart.yaml `dependencies` entry, fields in Helm's own order (name, version, repository, condition, tags, alias). */
export interface ChartDependency {
  name: string;
  version: string;
  repository: string;
  condition?: string;
  tags?: string[];
  alias?: string;
}

export interface ChartMetadata {
  apiVersion?: string;
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  home?: string;
  sources?: string[];
  maintainers?: { name?: string; email?: string; url?: string }[];
  annotations?: Record<string, string>;
  dependencies?: ChartDependency[];
  [key: string]: unknown;
}
