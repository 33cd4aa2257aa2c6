// Parsing a source file the user edits: a syntax error names the file (`file: not valid YAML: ...`).
import yaml from 'js-yaml';
import { problemAt } from '../errors.js';

export function parseYamlSource(text: string, file: string): unknown {
  try {
    return yaml.load(text);
  } catch (e) {
    throw problemAt(file, undefined, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function parseJsonSource(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw problemAt(file, undefined, `not valid JSON: ${(e as Error).message}`);
  }
}

/** Every document of a multi-document YAML stream (rendered manifests), empty ones dropped. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  try {
    return yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
  } catch (e) {
    throw problemAt(file, undefined, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}
