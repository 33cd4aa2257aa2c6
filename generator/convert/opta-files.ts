// Reading Opta's environment and service files (pure): their shape as Opta checked it, every problem a UserError
// naming the file, the path inside it and what was expected. Shapes from run-x/opta config/registry/<cloud>/index.yaml
// (`validator`, `service_validator`) and opta/layer.py (`load_from_dict`), opta/module.py (module `type`, `name`).
import yaml from 'js-yaml';
import { problemAt } from '../errors.js';
import { fieldsOf, moduleKind, moduleType, MODULE_KEYS, type Cloud } from './opta-fields.js';
import { isMapping } from '../parse/mapping.js';

export type Data = Record<string, unknown>;

export interface OptaModule {
  /** `modules[<index>]` in the file. */
  index: number;
  /** The cloud's type name, e.g. aws-k8s-service. */
  type: string;
  /** The converter's kind: k8s-service, k8s-base, dns, ... or the type name. */
  kind: string;
  /** Opta's module name: `name`, else the type without dashes (opta/module.py). */
  name: string;
  data: Data;
}

export interface OptaEnvironment {
  file: string;
  name: string;
  orgName: string;
  cloud: Cloud;
  /** The provider block, e.g. `{region, account_id}` of `aws`. */
  provider: Data;
  providerKey: string;
  modules: OptaModule[];
  variables: Data;
  /** Names of the `input_variables` the file declares. */
  inputVariables: string[];
}

export interface OptaServiceEnvironment {
  name: string;
  path: string;
  variables: Data;
}

export interface OptaService {
  file: string;
  name: string;
  environments: OptaServiceEnvironment[];
  /** Raw module list, read against the environment's cloud by `serviceModules`. */
  rawModules: unknown[];
  variables: Data;
  inputVariables: string[];
}

/** Opta's providers per cloud and the keys each takes (config/registry/<cloud>/index.yaml `validator.providers`). */
const PROVIDERS: Record<string, { cloud: Cloud; keys: string[]; required: string[] }> = {
  aws: { cloud: 'aws', keys: ['region', 'account_id'], required: ['region', 'account_id'] },
  google: { cloud: 'gcp', keys: ['region', 'project'], required: ['region', 'project'] },
  azurerm: { cloud: 'azure', keys: ['location', 'tenant_id', 'subscription_id'], required: ['location'] },
};

const ENV_KEYS = ['name', 'org_name', 'providers', 'modules', 'input_variables'];
const SERVICE_KEYS = ['name', 'environments', 'modules', 'input_variables'];
const ENVIRONMENT_ENTRY_KEYS = ['name', 'path', 'variables', 'vars'];
// Opta's layer names (opta/layer.py valid_name) and org names (registry validator).
const LAYER_NAME = /^[a-z0-9-]{1,}$/;
const ORG_NAME = /^[a-z0-9-]{1,15}$/;
const MODULE_NAME = /^[a-zA-Z0-9]+$/;

function load(file: string, text: string): Data {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw problemAt(file, undefined, `not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isMapping(doc) || !('modules' in doc) || !('name' in doc)) {
    throw problemAt(file, undefined, 'not an Opta file: expected a mapping with `name` and `modules` (and `org_name`/`providers` for an environment, `environments` for a service)');
  }
  return doc;
}

function unknownKeys(file: string, at: string, data: Data, known: string[], what: string): void {
  for (const key of Object.keys(data)) {
    if (!known.includes(key)) throw problemAt(file, at ? `${at}.${key}` : key, `unknown field of ${what} (expected one of: ${known.join(', ')})`);
  }
}

function str(file: string, at: string, v: unknown, pattern?: RegExp, expected = 'a string'): string {
  if (typeof v !== 'string' || (pattern && !pattern.test(v))) throw problemAt(file, at, `expected ${expected}, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

/** `input_variables`: a list of `{name, default?, description?}`; their names and defaults (opta/input_variable.py). */
function inputVariables(file: string, v: unknown): { inputVariables: string[]; variables: Data } {
  if (v === undefined) return { inputVariables: [], variables: {} };
  if (!Array.isArray(v)) throw problemAt(file, 'input_variables', 'expected a list of {name, default, description}');
  const out: Data = {};
  v.forEach((item, i) => {
    if (!isMapping(item)) throw problemAt(file, `input_variables[${i}]`, 'expected a mapping {name, default, description}');
    unknownKeys(file, `input_variables[${i}]`, item, ['name', 'default', 'description'], 'an input variable');
    const name = str(file, `input_variables[${i}].name`, item.name);
    if (item.default !== undefined && item.default !== null) out[name] = item.default;
  });
  return { inputVariables: v.map((item) => String((item as Data).name)), variables: out };
}

export function parseEnvironment(file: string, text: string): OptaEnvironment {
  const doc = load(file, text);
  if ('environments' in doc) throw problemAt(file, 'environments', 'this is a service file; the first file must be the environment file (with `org_name` and `providers`)');
  unknownKeys(file, '', doc, ENV_KEYS, 'an Opta environment file');
  const name = str(file, 'name', doc.name, LAYER_NAME, 'an environment name (lowercase letters, digits, -)');
  const orgName = str(file, 'org_name', doc.org_name, ORG_NAME, 'an org name (at most 15 lowercase letters, digits, -)');
  if (!isMapping(doc.providers)) throw problemAt(file, 'providers', `expected a mapping with one of ${Object.keys(PROVIDERS).join(', ')}`);
  const keys = Object.keys(doc.providers);
  if (keys.length !== 1 || !(keys[0] in PROVIDERS)) throw problemAt(file, 'providers', `expected exactly one of ${Object.keys(PROVIDERS).join(', ')}, got ${keys.join(', ') || 'none'}`);
  const providerKey = keys[0];
  const spec = PROVIDERS[providerKey];
  const provider = doc.providers[providerKey];
  if (!isMapping(provider)) throw problemAt(file, `providers.${providerKey}`, `expected a mapping with ${spec.keys.join(', ')}`);
  unknownKeys(file, `providers.${providerKey}`, provider, spec.keys, `the ${providerKey} provider`);
  for (const k of spec.required) {
    if (provider[k] === undefined) throw problemAt(file, `providers.${providerKey}.${k}`, 'required');
  }
  // Opta reads the account id as a number too and pads it to 12 digits (opta/layer.py).
  if (providerKey === 'aws') provider.account_id = String(provider.account_id).padStart(12, '0');
  const modules = readModules(file, doc.modules, spec.cloud, 'env');
  return { file, name, orgName, cloud: spec.cloud, provider, providerKey, modules, ...inputVariables(file, doc.input_variables) };
}

export function parseService(file: string, text: string): OptaService {
  const doc = load(file, text);
  if (!('environments' in doc)) throw problemAt(file, undefined, 'not an Opta service file: expected `environments` (a list of {name, path}), `name` and `modules`');
  unknownKeys(file, '', doc, SERVICE_KEYS, 'an Opta service file');
  const name = str(file, 'name', doc.name, LAYER_NAME, 'a service (layer) name: lowercase letters, digits, -');
  if (!Array.isArray(doc.environments) || doc.environments.length === 0) throw problemAt(file, 'environments', 'expected a non-empty list of {name, path, variables}');
  const environments = doc.environments.map((e, i): OptaServiceEnvironment => {
    const at = `environments[${i}]`;
    if (!isMapping(e)) throw problemAt(file, at, 'expected a mapping {name, path, variables}');
    unknownKeys(file, at, e, ENVIRONMENT_ENTRY_KEYS, 'an environments entry');
    for (const k of ['variables', 'vars'] as const) {
      if (e[k] !== undefined && !isMapping(e[k])) throw problemAt(file, `${at}.${k}`, 'expected a mapping of variable names to values');
    }
    return { name: str(file, `${at}.name`, e.name), path: str(file, `${at}.path`, e.path), variables: { ...(e.variables as Data | undefined), ...(e.vars as Data | undefined) } };
  });
  if (!Array.isArray(doc.modules)) throw problemAt(file, 'modules', 'expected a list of modules');
  return { file, name, environments, rawModules: doc.modules, ...inputVariables(file, doc.input_variables) };
}

/** A service's modules, read against its environment's cloud (module types differ per cloud). */
export function serviceModules(service: OptaService, cloud: Cloud): OptaModule[] {
  return readModules(service.file, service.rawModules, cloud, 'service');
}

function readModules(file: string, raw: unknown, cloud: Cloud, kind: 'env' | 'service'): OptaModule[] {
  if (!Array.isArray(raw)) throw problemAt(file, 'modules', 'expected a list of modules');
  const names = new Set<string>();
  return raw.map((m, index) => {
    const at = `modules[${index}]`;
    if (!isMapping(m)) throw problemAt(file, at, 'expected a mapping with `type`');
    const typeName = str(file, `${at}.type`, m.type);
    const type = moduleType(cloud, typeName, kind);
    if (!type) {
      const other = moduleType(cloud, typeName, kind === 'env' ? 'service' : 'env');
      throw problemAt(
        file,
        `${at}.type`,
        other
          ? `"${typeName}" belongs in ${kind === 'env' ? 'a service' : 'an environment'} file, not ${kind === 'env' ? 'an environment' : 'a service'} file`
          : `"${typeName}" is not an Opta module type of ${cloud} ${kind === 'env' ? 'environment' : 'service'} files`,
      );
    }
    const name = m.name === undefined ? typeName.replaceAll('-', '') : str(file, `${at}.name`, m.name, MODULE_NAME, 'a module name (letters and digits only)');
    if (names.has(name)) throw problemAt(file, `${at}.name`, `"${name}" is already the name of another module`);
    names.add(name);
    const mkind = moduleKind(cloud, type);
    const fields = fieldsOf(mkind, cloud);
    const data: Data = Object.fromEntries(Object.entries(m).filter(([k]) => !MODULE_KEYS.includes(k)));
    if (fields) unknownKeys(file, at, data, fields.map((f) => f.field), `${typeName} on ${cloud}`);
    return { index, type, kind: mkind, name, data };
  });
}
