// An Opta service file's `k8s-service` as opta-service values (pure), following what Opta's k8s-service did:
// run-x/opta modules/base.py (K8sServiceModuleProcessor: ports, public_uri, probes), modules/linker_helper.py (link env
// names), modules/opta-k8s-service-helm/templates (probes, manual-secrets, ingress annotations).
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { problemAt } from '../errors.js';
import { clusterName, environmentContext, accountFor, type ConvertedEnvironment } from './environment.js';
import { interpolate, type Unresolved } from './interpolate.js';
import type { Data, OptaEnvironment, OptaModule, OptaService } from './opta-files.js';
import { serviceModules } from './opta-files.js';
import { ModuleFields } from './module-fields.js';
import { isMapping } from '../parse/mapping.js';
import { serviceIngress, servicePorts, serviceProbes } from './service-network.js';
import type { FieldAccount, ReportItem } from './report.js';

export interface ConvertedService {
  /** The layer: the service file's `name`; release namespace. */
  layer: string;
  /** Helm release: `<layer>-<module>`, as Opta named it. */
  release: string;
  /** Undefined when the file has no k8s-service (only Terraform-made modules). */
  values?: Data;
  timeout?: number;
  historyMax?: number;
  accounts: FieldAccount[];
  report: ReportItem[];
  unresolved: Unresolved[];
}

export interface ServiceOptions {
  vars: Data;
  /** `--image SERVICE=REPOSITORY[:TAG]` for Opta's `image: AUTO`. */
  image?: string;
  /** Which `environments` entry (`--env`); default: the one naming the environment. */
  envName?: string;
}

/** Env var names of a linked module's outputs (modules/aws_k8s_service/aws_k8s_service.py `required_vars`). */
const LINK_VARS: Record<string, string[]> = {
  postgres: ['db_user', 'db_name', 'db_password', 'db_host'],
  mysql: ['db_user', 'db_name', 'db_password', 'db_host'],
  redis: ['cache_host', 'cache_auth_token'],
  'aws-documentdb': ['db_user', 'db_host', 'db_password'],
  'mongodb-atlas': ['db_password', 'db_user', 'mongodb_atlas_connection_string'],
};

const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The service file's entry for this environment: `--env`, else the entry with the environment's name. */
function environmentEntry(service: OptaService, env: OptaEnvironment, envName?: string) {
  const want = envName ?? env.name;
  // Opta's entry names are labels: without --env, an entry whose path is the environment file counts too.
  const samePath = (p: string) => !isAbsolute(p) && normalize(join(dirname(service.file), p)) === normalize(env.file);
  const byName = service.environments.findIndex((e) => e.name === want);
  const i = byName >= 0 || envName ? byName : service.environments.findIndex((e) => samePath(e.path));
  if (i < 0) {
    throw problemAt(
      service.file,
      'environments',
      `no entry names the environment "${want}"${envName ? ' (--env)' : ` (${env.file})`}; entries: ${service.environments.map((e) => `${e.name} (${e.path})`).join(', ')}`,
      envName ? undefined : 'pass --env NAME to pick an entry',
    );
  }
  return service.environments[i];
}

export function convertService(service: OptaService, rawEnv: OptaEnvironment, env: ConvertedEnvironment, o: ServiceOptions): ConvertedService {
  const file = service.file;
  const entry = environmentEntry(service, rawEnv, o.envName);
  const unresolved: Unresolved[] = [];
  const ctx = environmentContext(rawEnv, { ...service.variables, ...entry.variables, ...o.vars }, { layer_name: service.name, parent_name: rawEnv.name });
  ctx.scopes.parent = { domain: env.domain };
  const modules = serviceModules(service, rawEnv.cloud).map((m) => ({ ...m, data: interpolate(m.data, ctx, `modules[${m.index}]`, unresolved) }));
  const accounts = modules.flatMap((m) => accountFor(file, m, rawEnv.cloud));
  const report: ReportItem[] = [];
  const services = modules.filter((m) => m.kind === 'k8s-service');
  if (services.length > 1) throw problemAt(file, `modules[${services[1].index}]`, 'a second k8s-service: Opta allows one per service file');
  for (const m of modules.filter((x) => x.kind !== 'k8s-service')) {
    report.push({ topic: 'Terraform', text: `${file} modules[${m.index}] (${m.type} "${m.name}"): made by Terraform (${Object.keys(m.data).join(', ') || 'no fields'}); recreate it outside Helm${LINK_VARS[m.kind] ? ', then fill the link Secret below' : ''}.` });
  }
  const k = services[0];
  const layer = service.name;
  if (!k) return { layer, release: layer, accounts, report, unresolved };
  const c = new ServiceConversion(file, k, layer, modules, report);
  const values = c.values(rawEnv, env, o.image);
  return { layer, release: `${layer}-${k.name.toLowerCase()}`, values, timeout: c.int('timeout'), historyMax: c.int('max_history'), accounts, report, unresolved };
}

class ServiceConversion extends ModuleFields {
  constructor(
    file: string,
    m: OptaModule,
    readonly layer: string,
    readonly modules: OptaModule[],
    readonly report: ReportItem[],
  ) {
    super(file, m);
  }

  values(rawEnv: OptaEnvironment, env: ConvertedEnvironment, imageFlag?: string): Data {
    const d = this.m.data;
    const name = this.m.name.toLowerCase();
    if (!DNS_1035.test(name)) this.fail('name', `"${this.m.name}" cannot be a Kubernetes Service name (a letter, then letters and digits)`);
    const v: Data = { name, layer: this.layer, image: this.image(rawEnv, imageFlag) };
    const ports = servicePorts(this);
    if (ports) v.ports = ports;
    const probes = serviceProbes(this, ports);
    if (probes) v.probes = probes;
    Object.assign(v, this.scaling());
    const resources = this.resources();
    if (resources) v.resources = resources;
    const env_ = this.env();
    if (env_) v.env = env_;
    const secrets = this.strings('secrets');
    if (secrets.length) {
      v.secret = { existingSecret: 'manual-secrets' };
      this.report.push({ topic: 'Secrets', text: `${this.file}: copy Opta's Secret \`manual-secrets\` (keys ${secrets.join(', ')}) into namespace \`${this.layer}\` of the new cluster (\`kubectl get secret manual-secrets -n ${this.layer} -o yaml\` from the old one).` });
    } else {
      this.report.push({ topic: 'Secrets', text: `${this.file}: if you set secrets with \`opta secret update\`, copy the Secret \`manual-secrets\` of namespace \`${this.layer}\` and set \`secret.existingSecret: manual-secrets\`.` });
    }
    const linkEnv = this.links();
    if (linkEnv.length) v.extraEnv = linkEnv;
    const ingress = serviceIngress(this, env.clusterIssuer);
    if (ingress) v.ingress = ingress;
    const persistence = this.items('persistent_storage', ['size', 'path'], ['size', 'path']).map((p, i) => ({
      name: `data-${i}`,
      size: `${this.int(`persistent_storage[${i}].size`, p.size)}Gi`,
      path: String(p.path),
    }));
    if (persistence.length) v.persistence = persistence;
    const cronJobs = this.items('cron_jobs', ['commands', 'args', 'schedule'], ['commands', 'schedule']).map((j, i) => ({
      name: `cron-${i}`,
      schedule: String(j.schedule),
      command: this.strings(`cron_jobs[${i}].commands`, j.commands),
      args: this.strings(`cron_jobs[${i}].args`, j.args),
    }));
    if (cronJobs.length) v.cronJobs = cronJobs;
    const tolerations = this.items('tolerations', ['key', 'value', 'effect'], ['key']).map((t, i) => ({
      ...(t.effect === undefined || ['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(String(t.effect)) ? {} : this.fail(`tolerations[${i}].effect`, 'expected NoSchedule, PreferNoSchedule or NoExecute')),
      key: String(t.key),
      operator: t.value === undefined ? 'Exists' : 'Equal',
      ...(t.value !== undefined ? { value: String(t.value) } : {}),
      ...(t.effect ? { effect: t.effect } : {}),
    }));
    if (tolerations.length) v.tolerations = tolerations;
    const { annotations: podAnnotations, proxyResources } = this.podAnnotations();
    if (podAnnotations) v.podAnnotations = podAnnotations;
    const podLabels = this.stringMap('pod_labels');
    if (podLabels) v.podLabels = podLabels;
    if (d.commands !== undefined) v.command = this.strings('commands');
    if (d.args !== undefined) v.args = this.strings('args');
    if (env.datadog) v.datadog = { enabled: true };
    if (env.linkerdOff || proxyResources) v.linkerd = { ...(env.linkerdOff ? { inject: false } : {}), ...(proxyResources ? { proxyResources } : {}) };
    this.cloudIdentity(rawEnv);
    return v;
  }

  image(env: OptaEnvironment, flag?: string): Data {
    const raw = this.m.data.image;
    if (raw === undefined || raw === null) this.fail('image', 'required (an image repository, or AUTO)');
    if (typeof raw !== 'string') this.fail('image', 'expected a string');
    let ref = raw;
    if (raw.toUpperCase() === 'AUTO') {
      if (!flag) {
        const registry = env.cloud === 'aws' ? 'the ECR repository opta-<layer>-<module>-<hash>' : env.cloud === 'gcp' ? `gcr.io/${String(env.provider.project)}/${this.layer}/${this.m.name}` : `<acr>.azurecr.io/${this.layer}/${this.m.name}`;
        this.fail('image', `AUTO means Opta's own registry (${registry}), which this file does not name: pass --image ${this.layer}=REPOSITORY[:TAG]`);
      }
      ref = flag;
    }
    const out: Data = {};
    const at = ref.indexOf('@');
    if (at >= 0) {
      out.digest = ref.slice(at + 1);
      ref = ref.slice(0, at);
    }
    const colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      out.tag = ref.slice(colon + 1);
      ref = ref.slice(0, colon);
    }
    const tag = this.m.data.tag;
    if (tag !== undefined && tag !== null) out.tag = String(tag);
    const digest = this.m.data.digest;
    if (digest !== undefined && digest !== null) out.digest = String(digest);
    if (!out.tag && !out.digest) this.report.push({ topic: 'Images', text: `${this.file}: ${this.at('image')} has no tag or digest (Opta took it from \`opta deploy --tag\`): set \`image.tag\` in ${this.layer}.values.yaml.` });
    return { repository: ref, ...out };
  }

  scaling(): Data {
    const min = this.int('min_containers') ?? 1;
    const max = this.int('max_containers') ?? 3;
    if (min > max) this.fail('min_containers', `${min} is more than max_containers ${max}`);
    const cpu = this.int('autoscaling_target_cpu_percentage');
    const mem = this.int('autoscaling_target_mem_percentage');
    // Opta scaled with an HPA between the two; equal bounds (or 0, which an HPA cannot do) is a fixed count.
    if (min === max) return { replicaCount: min, autoscaling: { enabled: false } };
    return { autoscaling: { enabled: true, minReplicas: Math.max(min, 1), maxReplicas: max, ...(cpu !== undefined ? { targetCPUUtilizationPercentage: cpu } : {}), ...(mem !== undefined ? { targetMemoryUtilizationPercentage: mem } : {}) } };
  }

  /** Opta: cpu in millicores, memory in MB (Mi in its chart); strings pass through as Kubernetes quantities. */
  resources(): Data | undefined {
    const q = (field: string, key: string, v: unknown, unit: string) => (typeof v === 'number' ? `${this.int(`${field}.${key}`, v)}${unit}` : typeof v === 'string' ? v : this.fail(`${field}.${key}`, 'expected a number or a quantity'));
    const part = (field: string): Data | undefined => {
      const v = this.m.data[field];
      if (v === undefined || v === null) return undefined;
      if (!isMapping(v)) this.fail(field, 'expected {cpu, memory}');
      return Object.fromEntries(Object.entries(v).map(([k, x]) => (k === 'cpu' ? ['cpu', q(field, k, x, 'm')] : k === 'memory' ? ['memory', q(field, k, x, 'Mi')] : this.fail(`${field}.${k}`, 'expected cpu or memory'))));
    };
    const requests = part('resource_request');
    const limits = part('resource_limits');
    return requests || limits ? { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } : undefined;
  }

  env(): Record<string, string> | undefined {
    const v = this.m.data.env_vars;
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) {
      return Object.fromEntries(v.map((e, i) => (isMapping(e) && typeof e.name === 'string' ? [e.name, e.value === undefined ? '' : String(e.value)] : this.fail(`env_vars[${i}]`, 'expected {name, value}'))));
    }
    return this.stringMap('env_vars');
  }

  /** Pod annotations; Linkerd's proxy resource annotations become `linkerd.proxyResources` (the chart sets them from there). */
  podAnnotations(): { annotations?: Record<string, string>; proxyResources?: Record<string, string> } {
    const all = this.stringMap('pod_annotations');
    if (!all) return {};
    const fields: Record<string, string> = { 'proxy-cpu-request': 'cpuRequest', 'proxy-cpu-limit': 'cpuLimit', 'proxy-memory-request': 'memoryRequest', 'proxy-memory-limit': 'memoryLimit' };
    const proxy: Record<string, string> = {};
    const rest: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) {
      const field = k.startsWith('config.linkerd.io/') ? fields[k.slice('config.linkerd.io/'.length)] : undefined;
      if (field) proxy[field] = v;
      else rest[k] = v;
    }
    return { ...(Object.keys(rest).length ? { annotations: rest } : {}), ...(Object.keys(proxy).length ? { proxyResources: proxy } : {}) };
  }

  /** Database links keep Opta's env names (`<module>_db_host`, or the renames given), read from a Secret the user fills. */
  links(): Data[] {
    const env: Data[] = [];
    this.list('links').forEach((link, i) => {
      const [target, perms] = typeof link === 'string' ? [link, []] : isMapping(link) && Object.keys(link).length === 1 ? Object.entries(link)[0] : this.fail(`links[${i}]`, 'expected a module name or {module: permissions}');
      const module = this.modules.find((m) => m.name === target);
      if (!module) this.fail(`links[${i}]`, `no module "${target}" in this file (Opta links to modules of the same file)`);
      const vars = LINK_VARS[module.kind];
      if (!vars) {
        this.report.push({ topic: 'IAM', text: `${this.file}: link to ${module.type} "${target}"${Array.isArray(perms) && perms.length ? ` (${perms.join(', ')})` : ''}: Opta granted the service's cloud identity access; create that role or service account and set \`cloud\` in ${this.layer}.values.yaml.` });
        return;
      }
      const renames = Array.isArray(perms) && isMapping(perms[perms.length - 1]) ? (perms[perms.length - 1] as Data) : {};
      const secret = `link-${target.toLowerCase()}`;
      for (const key of vars) env.push({ name: String(renames[key] ?? `${target}_${key}`), valueFrom: { secretKeyRef: { name: secret, key } } });
      this.report.push({
        topic: 'Links',
        text: `${this.file}: link "${target}" (${module.type}): create the Secret \`${secret}\` in namespace \`${this.layer}\` with keys ${vars.map((k) => `\`${k}\``).join(', ')} (Opta's Terraform outputs of "${target}"), e.g. \`kubectl -n ${this.layer} create secret generic ${secret} ${vars.map((k) => `--from-literal=${k}=...`).join(' ')}\`.`,
      });
    });
    return env;
  }

  cloudIdentity(env: OptaEnvironment): void {
    const d = this.m.data;
    if (env.cloud === 'aws') {
      const extra = d.additional_iam_policies ? ` plus ${JSON.stringify(d.additional_iam_policies)}` : '';
      this.report.push({ topic: 'IAM', text: `${this.file}: Opta gave "${this.m.name}" an IAM role (IRSA, eks:DescribeCluster${extra}, and its links' grants). Create it for \`system:serviceaccount:${this.layer}:${this.m.name.toLowerCase()}\` of cluster ${clusterName(env)}'s OIDC provider and set \`cloud: {provider: aws, aws: {roleArn: ...}}\` in ${this.layer}.values.yaml.` });
    } else if (env.cloud === 'gcp' && d.additional_iam_roles) {
      this.report.push({ topic: 'IAM', text: `${this.file}: additional_iam_roles ${JSON.stringify(d.additional_iam_roles)}: grant them to a Google service account bound with Workload Identity and set \`cloud: {provider: gcp, gcp: {serviceAccount: ...}}\`.` });
    }
  }
}
