// Strict validation of prometheus-operator objects (monitoring.coreos.com/v1 ServiceMonitor, PodMonitor) against the
// CRD schema prometheus-operator publishes, as packaged by @kubernetes-models/prometheus-operator 4.4.4 (generated from
// prometheus-operator v0.65.1's CRDs). Two views of that one schema, no field list written by hand:
// - the package's compiled validator: types, required fields, enums, patterns;
// - the package's TypeScript declarations (the CRD's openAPIV3Schema as interfaces): the object is compiled as a typed
//   literal, and TypeScript's excess-property check rejects unknown fields at any depth, as the API server's strict
//   field validation does (a CRD schema without additionalProperties lets everything else through).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import ts from 'typescript';

interface KindModel {
  new (data: unknown): { validate(): void };
}

const MODELS: Record<string, KindModel> = { ServiceMonitor: v1.ServiceMonitor as unknown as KindModel, PodMonitor: v1.PodMonitor as unknown as KindModel };
export const PROMETHEUS_OPERATOR_API = 'monitoring.coreos.com/v1';

/** Whether `validatePrometheusOperatorObject` knows this apiVersion/kind. */
export const isPrometheusOperatorKind = (apiVersion: unknown, kind: unknown) =>
  apiVersion === PROMETHEUS_OPERATOR_API && typeof kind === 'string' && kind in MODELS;

// A virtual file next to this one, so the package resolves from the project's node_modules.
const CHECK_FILE = join(dirname(fileURLToPath(import.meta.url)), '__prometheus_operator_check__.ts');
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  // The declarations need only the core library (no DOM): much less to load.
  lib: ['lib.es2015.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: [],
};
let previous: ts.Program | undefined;

function typeErrors(kind: string, obj: unknown): string[] {
  const source = [
    `import type { I${kind} } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}';`,
    `export const checked: I${kind} = ${JSON.stringify(obj, null, 2)};`,
  ].join('\n');
  const host = ts.createCompilerHost(OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === CHECK_FILE ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === CHECK_FILE || ts.sys.fileExists(name);
  host.readFile = (name) => (name === CHECK_FILE ? source : ts.sys.readFile(name));
  const program = ts.createProgram([CHECK_FILE], OPTIONS, host, previous);
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => {
      // TypeScript spells out the whole expected type; the field and the line are what matter.
      const text = ts
        .flattenDiagnosticMessageText(d.messageText, '\n')
        .split('\n')[0]
        .replace(/ does not exist in type '.*'\.$/, ' is not a field of the CRD schema.');
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      // Point at the offending line of the JSON (line 2 of the source is the literal's first).
      const at = line >= 2 ? source.split('\n')[line - 1].trim() : '';
      return `${text}${at ? ` (at ${at})` : ''}`;
    });
}

/** Problems of one ServiceMonitor or PodMonitor, each prefixed with `Kind/name`; [] when valid. */
export function validatePrometheusOperatorObject(obj: { kind?: unknown; metadata?: { name?: unknown } }): string[] {
  const label = `${String(obj.kind)}/${String(obj.metadata?.name ?? '?')}`;
  const kind = String(obj.kind);
  const Model = MODELS[kind];
  if (!Model) return [`${label}: unknown prometheus-operator kind ${kind}`];
  const errors: string[] = [];
  try {
    new Model(obj).validate();
  } catch (e) {
    const list = (e as { errors?: { instancePath?: string; message?: string }[] }).errors;
    if (!Array.isArray(list)) throw e;
    errors.push(...list.map((x) => `${x.instancePath || '(root)'}: ${x.message ?? 'invalid'}`));
  }
  errors.push(...typeErrors(kind, obj));
  return errors.map((e) => `${label}: ${e}`);
}
