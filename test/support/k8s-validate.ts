// Strict validation of rendered Kubernetes objects against the API schema, from two generated sources:
// - kubernetes-models (JSON Schema per kind, compiled with ajv): types, formats, required fields;
// - @kubernetes/client-node's OpenAPI-generated models (Kubernetes 1.34): every type's field names, walked
//   recursively to reject unknown fields, which the OpenAPI schema itself allows.
// No field list is written by hand.
// Kinds defined by CRDs of the base stack (cert-manager) are checked with their kubernetes-models package (types,
// required fields, enums); those packages carry no field maps, so unknown fields are not caught for them.
import * as clientModels from '@kubernetes/client-node/dist/gen/models/all.js';
import * as clientNode from '@kubernetes/client-node';
import * as certManagerModels from '@kubernetes-models/cert-manager';
import * as kubernetesModels from 'kubernetes-models';
import { gatewayApiProblems } from './gateway-api-fields.js';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}

interface GeneratedModel {
  attributeTypeMap: Attribute[];
}

interface KindModel {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const generated = clientModels as unknown as Record<string, GeneratedModel | undefined>;

/** kubernetes-models classes by "apiVersion kind", found through their static apiVersion and kind. */
const kindModels = new Map<string, KindModel>();
const crdKindModels = new Map<string, KindModel>();
// The packages nest group -> version -> classes, except the core group (`v1` -> classes).
function collectKindModels(namespace: Record<string, unknown>, depth: number, into = kindModels): void {
  for (const candidate of Object.values(namespace)) {
    const model = candidate as { apiVersion?: unknown; kind?: unknown };
    if (typeof candidate === 'function' && typeof model.apiVersion === 'string' && typeof model.kind === 'string') {
      into.set(`${model.apiVersion} ${model.kind}`, candidate as unknown as KindModel);
    } else if (candidate && typeof candidate === 'object' && depth > 0) {
      collectKindModels(candidate as Record<string, unknown>, depth - 1, into);
    }
  }
}
collectKindModels(kubernetesModels as Record<string, unknown>, 2);
collectKindModels(certManagerModels as Record<string, unknown>, 2, crdKindModels);

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** client-node names kinds `V1Deployment`, or `CoreV1Event`/`EventsV1Event` where two groups share a kind. */
function generatedKindModel(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const candidates = [`${pascal(version)}${kind}`, `${pascal(group.split('.')[0])}${pascal(version)}${kind}`];
  return candidates.find((name) => generated[name]?.attributeTypeMap);
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

/** Reports every field the generated model of `type` does not know, at any depth. */
function unknownFields(value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const array = ARRAY.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => unknownFields(item, array[1], `${path}[${i}]`, errors));
    return;
  }
  const map = MAP.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${k}`, errors);
    return;
  }
  const model = generated[type];
  // Primitives, IntOrString, Date, `any` (e.g. RawExtension): nothing to walk.
  if (!model?.attributeTypeMap || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const attribute = model.attributeTypeMap.find((a) => a.baseName === key);
    if (!attribute) errors.push(`${path ? `${path}.` : ''}${key}: unknown field (not in ${type})`);
    else unknownFields(child, attribute.type, path ? `${path}.${key}` : key, errors);
  }
}

function describeAjvError(e: AjvLikeError): string {
  // JSON pointer -> the same notation as unknownFields: spec.containers[0].name
  const parts = (e.instancePath ?? '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const at = parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(root)';
  const extra = e.params?.missingProperty ? '' : e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
  return `${at}: ${e.message ?? 'invalid'}${extra}`;
}

/**
 * Validates one Kubernetes object strictly. Returns the problems, each prefixed with `Kind/name`; [] when valid.
 * Unknown apiVersion/kind is itself an error, so a typo there cannot skip validation.
 */
export function validateK8sObject(obj: unknown): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return ['(object): not a mapping'];
  const { apiVersion, kind, metadata } = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const label = `${String(kind)}/${String(metadata?.name ?? '?')}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [`${label}: apiVersion and kind must be strings`];
  // Gateway API kinds (and EnvoyProxy): the hand-written field list of gateway-api-fields.ts.
  const gatewayProblems = gatewayApiProblems(obj as Record<string, unknown>);
  if (gatewayProblems) return gatewayProblems.map((p) => `${label}: ${p}`);
  const crdKindModel = crdKindModels.get(`${apiVersion} ${kind}`);
  const kindModel = kindModels.get(`${apiVersion} ${kind}`) ?? crdKindModel;
  const generatedName = generatedKindModel(apiVersion, kind);
  if (!kindModel || (!generatedName && !crdKindModel)) return [`${label}: unknown apiVersion/kind ${apiVersion} ${kind}`];

  const errors: string[] = [];
  try {
    new kindModel(obj).validate();
  } catch (e) {
    const list = (e as { errors?: AjvLikeError[] }).errors;
    if (!Array.isArray(list)) throw e;
    errors.push(...list.map(describeAjvError));
  }
  if (generatedName) unknownFields(obj, generatedName, '', errors);
  return errors.map((e) => `${label}: ${e}`);
}

/** A kind the validator knows as built into Kubernetes, and whether its objects live in a namespace. */
export interface BuiltinKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

// Scope comes from client-node's generated API classes: namespaced kinds have `createNamespaced<Kind>` methods.
function namespacedKindNames(): Set<string> {
  const names = new Set<string>();
  for (const [exported, value] of Object.entries(clientNode)) {
    if (!exported.endsWith('Api') || typeof value !== 'function') continue;
    for (const method of Object.getOwnPropertyNames((value as { prototype: object }).prototype)) {
      const match = /^createNamespaced([A-Z]\w*?)(WithHttpInfo)?$/.exec(method);
      if (match) names.add(match[1]);
    }
  }
  return names;
}

/** Every apiVersion/kind `validateK8sObject` accepts (the built-in API of Kubernetes 1.31+), with its scope. */
export function builtinKinds(): BuiltinKind[] {
  const namespaced = namespacedKindNames();
  return [...kindModels.values()]
    .filter((m) => generatedKindModel(m.apiVersion, m.kind) !== undefined)
    .map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, namespaced: namespaced.has(m.kind) }))
    .sort((a, b) => `${a.apiVersion} ${a.kind}`.localeCompare(`${b.apiVersion} ${b.kind}`));
}
