// The ONE map of Opta's file fields: which fields each Opta module type has (per cloud), where each goes in opta-base or
// opta-service values, or why it is left to the migration report. The converter checks files against it, MIGRATION.md
// accounts for every field with it, and the README tables are generated from it.
// Fields read from run-x/opta (last commit ec69398, 2022-08-16): modules/<module>/<module>.yaml `inputs` with
// `user_facing: true`, config/registry/<cloud>/index.yaml (`validator`, `service_validator`, `module_aliases`).

import fieldMap from './opta-fields.json' with { type: 'json' };

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

// The rows themselves are data, in opta-fields.json (one row per field, per module kind; `k8s-service` is the service
// file's module, every other key an environment module the converter reads).
type FieldMap = Record<string, OptaField[]>;
const FIELD_MAP = fieldMap as FieldMap;

/** Opta's `k8s-service` (aws-k8s-service, gcp-k8s-service, azure-k8s-service). */
export const K8S_SERVICE_FIELDS: OptaField[] = FIELD_MAP['k8s-service'];

/** Environment modules the converter reads, by Opta's alias (`type: k8s-base` or the cloud's own type name). */
const ENV_MODULE_FIELDS: FieldMap = Object.fromEntries(Object.entries(FIELD_MAP).filter(([kind]) => kind !== 'k8s-service'));

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
