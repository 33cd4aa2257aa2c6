// The ONE map of Opta's file fields: which fields each Opta module type has (per cloud), where each goes in opta-base or
// opta-service values, or why it is left to the migration report. The converter checks files against it, MIGRATION.md
// accounts for every field with it, and the README tables are generated from it.
// Fields read from run-x/opta (last commit ec69398, 2022-08-16): modules/<module>/<module>.yaml `inputs` with
// `user_facing: true`, config/registry/<cloud>/index.yaml (`validator`, `service_validator`, `module_aliases`).

export type Cloud = 'aws' | 'gcp' | 'azure';

/** converted: written into a values file or the install script; report: listed in MIGRATION.md as work outside Helm. */
export type Disposition = 'converted' | 'report';

export interface OptaField {
  field: string;
  how: Disposition;
  /** The value(s) it becomes, or what the report says. */
  to: string;
  /** Only these clouds' modules have the field (default: every cloud the module exists on). */
  clouds?: Cloud[];
}

const c = (field: string, to: string, clouds?: Cloud[]): OptaField => ({ field, how: 'converted', to, ...(clouds ? { clouds } : {}) });
const r = (field: string, to: string, clouds?: Cloud[]): OptaField => ({ field, how: 'report', to, ...(clouds ? { clouds } : {}) });

/** Opta's `k8s-service` (aws-k8s-service, gcp-k8s-service, azure-k8s-service). */
export const K8S_SERVICE_FIELDS: OptaField[] = [
  c('image', '`image.repository` (`AUTO`: the registry Opta made, given with `--image SERVICE=REPOSITORY`)'),
  c('tag', '`image.tag`'),
  c('digest', '`image.digest`'),
  c('port', '`ports[0]`: name `main`, Service port 80 (`http`, `grpc`, `websocket`; Opta\'s legacy `tcp` is a websocket port)'),
  c('ports', '`ports[]`: `name`, `type` (`http`; `http` + `protocol: grpc`/`websocket` → `grpc`/`websocket`; `tcp`), `port`, `servicePort` (default 80 for http, else `port`)'),
  c('probe_port', '`probes.liveness.port`, `probes.readiness.port` (default: the first port, as Opta)'),
  c('healthcheck_path', '`probes.liveness` and `probes.readiness`: `type: http` (`tcp` on a tcp port), `path`'),
  c('healthcheck_command', '`probes.liveness` and `probes.readiness`: `type: exec`, `command`'),
  c('liveness_probe_path', '`probes.liveness`: `type: http`, `path`'),
  c('readiness_probe_path', '`probes.readiness`: `type: http`, `path`'),
  c('liveness_probe_command', '`probes.liveness`: `type: exec`, `command`'),
  c('readiness_probe_command', '`probes.readiness`: `type: exec`, `command`'),
  c('initial_liveness_delay', '`probes.liveness.initialDelaySeconds` (Opta\'s default 30)', ['aws', 'azure']),
  c('initial_readiness_delay', '`probes.readiness.initialDelaySeconds` (Opta\'s default 30)', ['aws', 'azure']),
  c('min_containers', '`autoscaling.minReplicas`; equal to `max_containers`: `autoscaling.enabled: false`, `replicaCount`'),
  c('max_containers', '`autoscaling.maxReplicas`'),
  c('autoscaling_target_cpu_percentage', '`autoscaling.targetCPUUtilizationPercentage`'),
  c('autoscaling_target_mem_percentage', '`autoscaling.targetMemoryUtilizationPercentage`'),
  c('resource_request', '`resources.requests` (cpu millicores → `<n>m`, memory MB → `<n>Mi`)'),
  c('resource_limits', '`resources.limits` (memory MB → `<n>Mi`)'),
  c('env_vars', '`env` (map or list of `name`/`value`)'),
  c('secrets', "`secret.existingSecret: manual-secrets` (Opta's Secret of `opta secret update`); the report lists the keys to copy"),
  c('links', "database links (postgres, mysql, redis, documentdb, mongodb-atlas): `extraEnv` with Opta's env names (`<link>_db_host`, ... or the renames given) read from the Secret `link-<link>`, which the report says how to fill; other links are IAM grants, in the report"),
  c('public_uri', '`ingress.enabled`, `ingress.uris[]` (`host`, `pathPrefix`; `all`, `/...` and `*` = any host)'),
  c('keep_path_prefix', '`ingress.keepPathPrefix` (`route.keepPathPrefix` on the Gateway)'),
  c('sticky_session', '`ingress.stickySession.enabled`'),
  c('sticky_session_max_age', '`ingress.stickySession.maxAge`'),
  c('consistent_hash', '`ingress.consistentHash`'),
  c('ingress_extra_annotations', '`ingress.annotations`'),
  c('persistent_storage', '`persistence[]` (`name` `data-<i>`, `size` GB → `<n>Gi`, `path`)'),
  c('cron_jobs', '`cronJobs[]` (`name` `cron-<i>`, `command`, `args`, `schedule`)'),
  c('tolerations', '`tolerations` (Kubernetes Toleration objects; `operator: Equal` with a value, else `Exists`)', ['aws', 'gcp']),
  c('pod_annotations', '`podAnnotations`; Linkerd\'s `config.linkerd.io/proxy-{cpu,memory}-{request,limit}`: `linkerd.proxyResources`'),
  c('pod_labels', '`podLabels`'),
  c('commands', '`command`'),
  c('args', '`args`'),
  c('timeout', "install script: `helm upgrade --timeout <n>s`"),
  c('max_history', 'install script: `helm upgrade --history-max <n>`'),
  r('additional_iam_policies', 'IAM policies for the service\'s role: create the role (IRSA) and set `cloud.provider: aws`, `cloud.aws.roleArn`', ['aws']),
  r('additional_iam_roles', 'IAM roles for the service\'s Google service account: set `cloud.provider: gcp`, `cloud.gcp.serviceAccount`', ['gcp']),
];

/** Environment modules the converter reads, by Opta's alias (`type: k8s-base` or the cloud's own type name). */
const ENV_MODULE_FIELDS: Record<string, OptaField[]> = {
  base: [
    r('total_ipv4_cidr_block', 'VPC (Terraform)', ['aws']),
    r('vpc_log_retention', 'VPC flow logs (Terraform)', ['aws']),
    r('private_ipv4_cidr_blocks', 'private subnets (Terraform)', ['aws']),
    r('public_ipv4_cidr_blocks', 'public subnets (Terraform)', ['aws']),
    r('vpc_id', 'existing VPC (Terraform)', ['aws']),
    r('public_subnet_ids', 'existing subnets (Terraform)', ['aws']),
    r('private_subnet_ids', 'existing subnets (Terraform)', ['aws']),
    r('private_ipv4_cidr_block', 'VPC network (Terraform)', ['gcp', 'azure']),
    r('cluster_ipv4_cidr_block', 'pod range (Terraform)', ['gcp']),
    r('services_ipv4_cidr_block', 'service range (Terraform)', ['gcp']),
    r('k8s_master_ipv4_cidr_block', 'control-plane range (Terraform)', ['gcp']),
    r('subnet_ipv4_cidr_block', 'subnet (Terraform)', ['azure']),
  ],
  dns: [
    c('domain', 'external-dns `domainFilters` (aws); the `{parent.domain}` of services'),
    r('delegated', 'the hosted zone and its certificate (Terraform); TLS then from `--acme-email` or `--tls-cert-arn`'),
    r('upload_cert', 'an uploaded certificate (ACM, Terraform)', ['aws']),
    r('linked_module', 'the module the certificate was linked to (Terraform)', ['aws']),
    r('subdomains', 'sub-zones (Terraform)', ['gcp']),
  ],
  'k8s-cluster': [
    r('eks_log_retention', 'EKS control-plane logs (Terraform)', ['aws']),
    r('max_nodes', 'node group maximum (Terraform); cluster-autoscaler scales within it'),
    r('min_nodes', 'node group minimum (Terraform)'),
    r('node_disk_size', 'node disk (Terraform)'),
    r('node_instance_type', 'node instance type (Terraform)'),
    r('k8s_version', 'EKS version (Terraform); opta-base needs Kubernetes 1.31 or later', ['aws']),
    r('kubernetes_version', 'AKS version (Terraform); opta-base needs Kubernetes 1.31 or later', ['azure']),
    r('control_plane_security_groups', 'security groups (Terraform)', ['aws']),
    r('spot_instances', 'spot node group (Terraform)', ['aws']),
    r('enable_metrics', 'node group metrics (Terraform)', ['aws']),
    r('node_launch_template', 'launch template (Terraform)', ['aws']),
    r('ami_type', 'node AMI (Terraform)', ['aws']),
    r('gke_channel', 'GKE release channel (Terraform)', ['gcp']),
    r('preemptible', 'preemptible node pool (Terraform)', ['gcp']),
    r('admin_group_object_ids', 'AKS admin groups (Terraform)', ['azure']),
    r('service_cidr', 'AKS service range (Terraform)', ['azure']),
    r('dns_service_ip', 'AKS DNS service address (Terraform)', ['azure']),
  ],
  'k8s-base': [
    c('linkerd_high_availability', '`--ha` profile (the catalog\'s `profiles.ha`, every component)'),
    c('nginx_high_availability', '`--ha` profile (the catalog\'s `profiles.ha`, every component)'),
    c('nginx_config', 'ingress-nginx `controller.config`'),
    c('linkerd_values', 'linkerd-control-plane section (merged last)'),
    c('ingress_nginx_values', 'ingress-nginx section (merged last)'),
    c('cert_manager_values', 'cert-manager section (merged last)'),
    c('cert_arn', '`--tls-cert-arn` (NLB terminates TLS with the ACM certificate)', ['aws']),
    c('domain', 'external-dns `domainFilters` (instead of the `dns` module\'s)', ['aws']),
    r('linkerd_enabled', 'opta-base always runs Linkerd; `false`: set `linkerd.inject: false` in each service'),
    r('nginx_enabled', 'opta-base always runs ingress-nginx'),
    r('admin_arns', 'EKS access entries / aws-auth for these principals (outside Helm)', ['aws']),
    r('nginx_extra_tcp_ports', 'ingress-nginx `tcp` map (namespace/service:port per port), by hand', ['aws']),
    r('nginx_extra_tcp_ports_tls', 'TLS for those ports at the load balancer, by hand', ['aws']),
    r('expose_self_signed_ssl', 'no self-signed edge certificate: use `--tls-secret` or `--acme-email`', ['aws', 'gcp']),
    r('zone_id', 'the Route 53 zone (external-dns finds it from `domainFilters`)', ['aws']),
  ],
  datadog: [
    c('api_key', 'the Secret `datadog-api-key` (`--datadog-api-key-secret`), created by the install script from `$DATADOG_API_KEY`; the key itself is never written'),
    c('values', 'datadog section (merged last)'),
    r('chart_version', 'opta-base pins the datadog chart in its stack catalog'),
    r('timeout', 'install script `--timeout` covers the whole opta-base release'),
  ],
};

/** Opta's module aliases per cloud (config/registry/<cloud>/index.yaml `module_aliases`), plus the type names themselves. */
const ALIASES: Record<Cloud, Record<string, string>> = {
  aws: { base: 'aws-base', dns: 'aws-dns', 'k8s-cluster': 'aws-eks', 'k8s-base': 'aws-k8s-base', 'k8s-service': 'aws-k8s-service', postgres: 'aws-postgres', mysql: 'aws-mysql', redis: 'aws-redis' },
  gcp: { base: 'gcp-base', dns: 'gcp-dns', 'k8s-cluster': 'gcp-gke', 'k8s-base': 'gcp-k8s-base', 'k8s-service': 'gcp-k8s-service', postgres: 'gcp-postgres', mysql: 'gcp-mysql', redis: 'gcp-redis' },
  azure: { base: 'azure-base', 'k8s-cluster': 'azure-aks', 'k8s-base': 'azure-k8s-base', 'k8s-service': 'azure-k8s-service', postgres: 'azure-postgres', redis: 'azure-redis' },
};

/** Module types of environment and service files per cloud (config/registry/schemas/opta-config-files/<cloud>-env|service.json). */
const MODULE_TYPES: Record<Cloud, { env: string[]; service: string[] }> = {
  aws: {
    env: ['aws-base', 'aws-dns', 'aws-eks', 'aws-k8s-base', 'aws-nodegroup', 'aws-ses', 'custom-terraform', 'datadog', 'external-ssl-cert', 'global-accelerator'],
    service: ['aws-documentdb', 'aws-dynamodb', 'aws-iam-policy', 'aws-iam-role', 'aws-iam-user', 'aws-k8s-service', 'aws-mysql', 'aws-postgres', 'aws-redis', 'aws-s3', 'aws-sns', 'aws-sqs', 'aws-vpn', 'cloudfront-distribution', 'external-state', 'helm-chart', 'k8s-manifest', 'lambda-function', 'mongodb-atlas'],
  },
  gcp: {
    env: ['custom-terraform', 'datadog', 'external-ssl-cert', 'gcp-base', 'gcp-dns', 'gcp-gke', 'gcp-k8s-base', 'gcp-nodepool'],
    service: ['external-state', 'gcp-gcs', 'gcp-k8s-service', 'gcp-mysql', 'gcp-postgres', 'gcp-redis', 'gcp-service-account', 'helm-chart', 'k8s-manifest'],
  },
  azure: {
    env: ['azure-aks', 'azure-base', 'azure-k8s-base', 'custom-terraform', 'datadog', 'external-ssl-cert'],
    service: ['azure-k8s-service', 'azure-postgres', 'azure-redis', 'external-state', 'helm-chart', 'k8s-manifest'],
  },
};

/** The cloud's full type name for `type` (an alias or a type name), or undefined when the cloud has no such module. */
export function moduleType(cloud: Cloud, type: string, kind: 'env' | 'service'): string | undefined {
  const full = ALIASES[cloud][type] ?? type;
  return MODULE_TYPES[cloud][kind].includes(full) ? full : undefined;
}

/** The converter's name for a full type: `k8s-service`, `k8s-base`, ... (the alias), or the type itself. */
export function moduleKind(cloud: Cloud, fullType: string): string {
  return Object.entries(ALIASES[cloud]).find(([, t]) => t === fullType)?.[0] ?? fullType;
}

/** Fields a module kind has on `cloud`, from the map above (undefined: a module the report lists whole). */
export function fieldsOf(kind: string, cloud: Cloud): OptaField[] | undefined {
  const fields = kind === 'k8s-service' ? K8S_SERVICE_FIELDS : ENV_MODULE_FIELDS[kind];
  return fields?.filter((f) => !f.clouds || f.clouds.includes(cloud));
}

/** Keys every module has besides its fields (opta/module.py: `type`, `name`, `depends_on`). */
export const MODULE_KEYS = ['type', 'name', 'depends_on'];

/** Every field table of the converter, for the project README (`npm run generate`). */
export function convertFieldTables(): string {
  const kinds = Object.keys(ENV_MODULE_FIELDS);
  return [
    '**Service files: `k8s-service`** (aws-k8s-service, gcp-k8s-service, azure-k8s-service)',
    '',
    fieldTable(K8S_SERVICE_FIELDS),
    ...kinds.flatMap((k) => ['', `**Environment files: \`${k}\`**`, '', fieldTable(ENV_MODULE_FIELDS[k])]),
    '',
    'Every other module (databases, caches, buckets, queues, IAM, node groups, `custom-terraform`, ...) is made by Terraform: MIGRATION.md lists it with its fields.',
  ].join('\n');
}

/** The field table, as the READMEs show it (one row per field; clouds named when not all). */
export function fieldTable(fields: OptaField[]): string {
  const rows = fields.map((f) => `| \`${f.field}\`${f.clouds ? ` (${f.clouds.join(', ')})` : ''} | ${f.how === 'converted' ? f.to : `report: ${f.to}`} |`);
  return ['| Opta field | opta-charts |', '|---|---|', ...rows].join('\n');
}
